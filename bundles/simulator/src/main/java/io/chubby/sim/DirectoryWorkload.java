package io.chubby.sim;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.sim.SimClient.Outcome;
import io.chubby.sim.SimClient.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The directory workload of one {@link SimClient} (its role DIRECTORIES or FILES): creates and
 * deletes of the cell's plain directories ({@link CellSimulation#dirs}), and creates of files in the
 * directories whose children live on the client's partition and deletes of its own, each reported
 * to {@link DirectoryChecks}. The DIRECTORIES client also opens the ephemeral directories (creating
 * them), holds one for a while, then closes its handle or lets its session end (a crash and
 * restart); the FILES clients put files in them too, so an ephemeral directory is reaped when its
 * last child goes, its last handle closes or its session ends, whichever comes last
 * (docs/PARTITIONING.md 4.3). Its calls go through the client's session ({@link SimClient#call}),
 * one operation at a time, ended with {@link SimClient#done}; its draws come from the client's
 * generator. Single-threaded (the simulation's).
 */
final class DirectoryWorkload {
    private final SimClient client;
    private final CellSimulation sim;
    private final Random rnd;
    /** The files this client created (acknowledged) and has not tried to delete yet, oldest first. */
    private final List<String> files = new ArrayList<>();
    private int created;
    /**
     * The ephemeral directory this client's session holds a handle on (null: none), and that
     * session. One at a time, so that one entry (a session's end) closes the last handle of at
     * most one of them: further reaps of an entry are left to C's master's memory, which a crash
     * loses until H's next takeover (PARTITIONING.md 4.3 "as built"), and no takeover need come
     * after healing.
     */
    private String ephemeralDir;
    private ByteString ephemeralHandle;
    private long ephemeralSession;

    DirectoryWorkload(SimClient client, CellSimulation sim, Random rnd) {
        this.client = client;
        this.sim = sim;
        this.rnd = rnd;
    }

    /**
     * Creates or deletes one of the cell's plain directories (a delete of a non-empty one is refused
     * NOT_EMPTY), or, one time in four, works with an ephemeral one ({@link #ephemeralOp}).
     */
    void directoryOp() {
        if (rnd.nextInt(4) == 0) {
            ephemeralOp();
            return;
        }
        int k = rnd.nextInt(sim.dirs.plain());
        String path = "/ls/local" + sim.dirs.directory(k);
        long forSession = client.session;
        if (rnd.nextBoolean()) {
            client.createThenClose(path, true, () -> sim.dirChecks.mkdirs++);
            return;
        }
        client.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(SimClient.RW)),
                false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        if (client.session != forSession) {
                            return;
                        }
                        ByteString h = r.getOpen().getHandle();
                        client.call(Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(h)), true,
                                new Reply() {
                                    @Override
                                    public void ok(Response r) {
                                        sim.dirChecks.rmdirs++;
                                        client.done();
                                    }

                                    @Override
                                    public void failed(Outcome o, ErrorCode code, String why) {
                                        if (code == ErrorCode.NOT_EMPTY) {
                                            sim.dirChecks.notEmpty++;
                                        }
                                        if (client.session == forSession) {
                                            client.closeQuietly(h);
                                        }
                                        client.done();
                                    }
                                });
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        client.done();
                    }
                });
    }

    /**
     * With no ephemeral directory held: opens one, creating it if need be (CREATE_MAY, ephemeral),
     * and keeps the handle. With one held: closes the handle, or lets the session end (the client
     * crashes and starts again 50-300 ms later, its old session left to expire), or keeps it.
     */
    private void ephemeralOp() {
        long forSession = client.session;
        if (ephemeralSession != forSession) {
            ephemeralDir = null; // that session ended: its handle went with it
        }
        if (ephemeralDir == null) {
            int k = SimDirectories.PLAIN + rnd.nextInt(sim.dirs.count() - SimDirectories.PLAIN);
            String dir = sim.dirs.directory(k);
            client.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local" + dir)
                    .setModeBits(SimClient.RW).setCreate(Create.CREATE_MAY).setDirectory(true).setEphemeral(true)),
                    true, new Reply() {
                        @Override
                        public void ok(Response r) {
                            if (client.session == forSession) {
                                sim.dirChecks.ephemeralOpens++;
                                ephemeralDir = dir;
                                ephemeralHandle = r.getOpen().getHandle();
                                ephemeralSession = forSession;
                            }
                            client.done();
                        }

                        @Override
                        public void failed(Outcome o, ErrorCode code, String why) {
                            client.done();
                        }
                    });
            return;
        }
        int pick = rnd.nextInt(4);
        if (pick < 2) {
            sim.dirChecks.ephemeralCloses++;
            client.closeQuietly(ephemeralHandle);
            ephemeralDir = null;
            client.done();
        } else if (pick == 2) {
            sim.dirChecks.sessionsLetGo++;
            ephemeralDir = null;
            client.done();
            client.crash();
            sim.at(sim.now + 50 + rnd.nextInt(250), () -> {
                if (client.crashed) { // not started again meanwhile (a fault's restart, healing)
                    client.start();
                }
            });
        } else {
            client.done();
        }
    }

    /**
     * Creates a file in a directory whose children live on this client's partition (refused while
     * the directory does not exist or is being deleted; one time in four an ephemeral one), or
     * deletes one of its own files.
     */
    void fileOp() {
        long forSession = client.session;
        if (files.isEmpty() || rnd.nextInt(100) < 60) {
            List<Integer> ephemeral = sim.dirs.on(client.partition, true);
            List<Integer> mine = ephemeral.isEmpty() || rnd.nextInt(4) != 0 ? sim.dirs.on(client.partition, false)
                    : ephemeral;
            String path = sim.dirs.directory(mine.get(rnd.nextInt(mine.size()))) + "/f-" + client.id + "-"
                    + client.incarnation + "-" + (++created);
            client.createThenClose("/ls/local" + path, false, () -> {
                sim.dirChecks.created(path);
                files.add(path);
            });
            return;
        }
        String path = files.remove(rnd.nextInt(files.size()));
        sim.dirChecks.deleting(path); // from here the file may go
        client.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local" + path)
                .setModeBits(SimClient.RW)), false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        if (client.session != forSession) {
                            return;
                        }
                        client.call(Request.newBuilder().setDelete(DeleteRequest.newBuilder()
                                .setHandle(r.getOpen().getHandle())), true, new Reply() {
                                    @Override
                                    public void ok(Response r) {
                                        sim.dirChecks.fileDeletes++;
                                        client.done();
                                    }

                                    @Override
                                    public void failed(Outcome o, ErrorCode code, String why) {
                                        client.done();
                                    }
                                });
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        client.done();
                    }
                });
    }
}
