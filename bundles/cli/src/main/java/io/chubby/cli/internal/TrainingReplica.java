package io.chubby.cli.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.CreateSessionReply;
import io.chubby.protocol.DirEntryMessage;
import io.chubby.protocol.Empty;
import io.chubby.protocol.Error;
import io.chubby.protocol.Frames;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.OpenReply;
import io.chubby.protocol.ReadDirReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsReply;
import io.chubby.protocol.StatMessage;
import io.chubby.protocol.StatusReply;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in master for {@link ClassArchiveTraining} only: on a loopback port, it speaks enough of
 * the client protocol (Hello, MasterLocation, Status, CreateSession, KeepAlive, CloseSession,
 * Open, Close, GetContents, GetStat, SetContents, ReadDir, Delete) for the file commands to take
 * their real path through the CLI and the client library while the class archive is trained, when
 * no cell exists (the distribution is being assembled). Files live in a map; no replication, no
 * locks, no ACLs: not a server. One thread per connection; daemon threads.
 */
final class TrainingReplica implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Set<String> directories = ConcurrentHashMap.newKeySet();

    TrainingReplica() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        directories.add("/ls/local");
        daemon(this::accept, "training-replica");
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                daemon(() -> serve(s), "training-connection");
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream())) {
            OutputStream out = s.getOutputStream();
            boolean hello = true;
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                byte[] message = java.util.Arrays.copyOfRange(frame, 2, frame.length);
                Response.Builder r;
                if (hello) {
                    Hello.parseFrom(message);
                    out.write(Frames.encode(HelloReply.newBuilder().setProtocolVersion(Frames.VERSION).setReplicaId(1)
                            .setCell("local").build().toByteArray()));
                    hello = false;
                    continue;
                }
                Request q = Request.parseFrom(message);
                r = answer(q);
                if (r != null) {
                    out.write(Frames.encode(r.setCallId(q.getCallId()).build().toByteArray()));
                    out.flush();
                }
            }
        } catch (IOException end) {
            // the client closed the connection (or the training ended)
        }
    }

    /** The answer to {@code q}; null for a KeepAlive, which a master holds (the client sends one at a time). */
    private Response.Builder answer(Request q) {
        Response.Builder r = Response.newBuilder();
        switch (q.getBodyCase()) {
            case MASTER_LOCATION -> r.setMasterLocation(MasterLocation.newBuilder().setCell("local").setMasterId(1)
                    .setMasterAddress(address()).setEpoch(257).addReplicas(address()));
            case STATUS -> r.setStatus(StatusReply.newBuilder().setReplicaId(1).setRole("master").setMasterId(1)
                    .setEpoch(257).setAddress(address()).putMetrics("lease_ms", "12000"));
            case CREATE_SESSION -> r.setCreateSession(CreateSessionReply.newBuilder().setSessionId(1).setLeaseMs(12_000)
                    .setEpoch(257));
            case KEEP_ALIVE -> {
                return null;
            }
            case CLOSE_SESSION, CLOSE -> r.setEmpty(Empty.getDefaultInstance());
            case OPEN -> {
                String path = q.getOpen().getPath();
                boolean exists = files.containsKey(path) || directories.contains(path);
                if (!exists && q.getOpen().getCreateValue() == 0) {
                    return error(r, path + " does not exist");
                }
                if (!exists && q.getOpen().getDirectory()) {
                    directories.add(path);
                } else if (!exists) {
                    files.put(path, q.getOpen().getInitialContents().toByteArray());
                }
                r.setOpen(OpenReply.newBuilder().setHandle(ByteString.copyFromUtf8(path)).setCreated(!exists)
                        .setStat(stat(path)));
            }
            case GET_CONTENTS -> {
                String path = q.getGetContents().getHandle().toStringUtf8();
                r.setGetContents(GetContentsReply.newBuilder().setContents(ByteString.copyFrom(files.getOrDefault(path,
                        new byte[0]))).setStat(stat(path)).setCacheable(true));
            }
            case GET_STAT -> r.setStat(stat(q.getGetStat().getHandle().toStringUtf8()));
            case SET_CONTENTS -> {
                String path = q.getSetContents().getHandle().toStringUtf8();
                files.put(path, q.getSetContents().getContents().toByteArray());
                r.setSetContents(SetContentsReply.newBuilder().setStat(stat(path)));
            }
            case READ_DIR -> {
                String dir = q.getReadDir().getHandle().toStringUtf8() + "/";
                ReadDirReply.Builder b = ReadDirReply.newBuilder();
                java.util.stream.Stream.concat(files.keySet().stream(), directories.stream())
                        .filter(p -> p.startsWith(dir) && p.indexOf('/', dir.length()) < 0).sorted()
                        .forEach(p -> b.addEntries(DirEntryMessage.newBuilder().setName(p.substring(dir.length()))
                                .setStat(stat(p))));
                r.setReadDir(b);
            }
            case DELETE -> {
                String path = q.getDelete().getHandle().toStringUtf8();
                files.remove(path);
                directories.remove(path);
                r.setEmpty(Empty.getDefaultInstance());
            }
            default -> {
                return error(r, "the training replica does not do " + q.getBodyCase());
            }
        }
        return r;
    }

    private static Response.Builder error(Response.Builder r, String message) {
        return r.setError(Error.newBuilder().setCode(ErrorCode.NO_SUCH_NODE.wire()).setMessage(message));
    }

    private StatMessage stat(String path) {
        byte[] data = files.get(path);
        return StatMessage.newBuilder().setInstance(1).setContentGeneration(1).setSize(data == null ? 0 : data.length)
                .setDirectory(directories.contains(path)).setCreatedMs(1).setModifiedMs(1).build();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
