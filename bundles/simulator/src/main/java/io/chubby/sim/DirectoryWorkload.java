package io.chubby.sim;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
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
 * deletes of the cell's directories ({@link CellSimulation#dirs}), and creates of files in the
 * directories whose children live on the client's partition and deletes of its own, each reported
 * to {@link DirectoryChecks}. Its calls go through the client's session ({@link SimClient#call}),
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

    DirectoryWorkload(SimClient client, CellSimulation sim, Random rnd) {
        this.client = client;
        this.sim = sim;
        this.rnd = rnd;
    }

    /** Creates or deletes one of the cell's directories (a delete of a non-empty one is refused NOT_EMPTY). */
    void directoryOp() {
        int k = rnd.nextInt(sim.dirs.count());
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
     * Creates a file in a directory whose children live on this client's partition (refused while
     * the directory does not exist or is being deleted), or deletes one of its own files.
     */
    void fileOp() {
        List<Integer> mine = sim.dirs.on(client.partition);
        long forSession = client.session;
        if (files.isEmpty() || rnd.nextInt(100) < 60) {
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
