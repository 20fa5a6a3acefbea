package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
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
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted replica for tests: a plain ServerSocket on 127.0.0.1 speaking Frames + Hello +
 * Request/Response. By default it acts as a master with an in-memory file map; tests override
 * single request kinds with {@link #on}.
 */
final class FakeReplica implements AutoCloseable {
    /** Handles one request; call {@link Exchange#reply}, {@link Exchange#drop} or nothing (hold it). */
    interface Behaviour {
        void handle(Exchange x) throws Exception;
    }

    final int id;
    private final ServerSocket server;
    private final ScheduledExecutorService exec = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "fake-replica");
        t.setDaemon(true);
        return t;
    });
    private final Map<Request.BodyCase, Behaviour> overrides = new ConcurrentHashMap<>();
    final List<Request> received = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** The paths in {@link #files} that are directories. */
    final java.util.Set<String> directories = ConcurrentHashMap.newKeySet();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger keepAlivesOutstanding = new AtomicInteger();
    /** Connections the client closed (end of stream where a request was due). */
    final AtomicInteger closedByClient = new AtomicInteger();
    private final Map<Socket, OutputStream> outs = new ConcurrentHashMap<>();
    final AtomicInteger maxKeepAlivesOutstanding = new AtomicInteger();
    volatile String masterAddress;   // what MasterLocation answers; null: this replica
    volatile long epoch = 1;
    volatile long leaseMs = 2000;
    volatile long keepAliveHoldMs = 500;
    private volatile boolean closed;

    FakeReplica(int id) throws IOException {
        this.id = id;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fake-replica-accept-" + id);
        t.setDaemon(true);
        t.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** A client of these replicas with the tests' short timeouts (see {@link #options}). */
    static ChubbyClient connect(FakeReplica... replicas) {
        return ChubbyClient.connect(options(replicas));
    }

    /** Options naming these replicas with the tests' short timeouts (3 s calls, 1 s connect, 10 ms retry backoff). */
    static ClientOptions options(FakeReplica... replicas) {
        List<String> addrs = Arrays.stream(replicas).map(FakeReplica::address).toList();
        return ClientOptions.builder().replicas(addrs).clientName("test").callTimeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(1)).retryBackoff(Duration.ofMillis(10)).build();
    }

    FakeReplica on(Request.BodyCase kind, Behaviour b) {
        overrides.put(kind, b);
        return this;
    }

    FakeReplica off(Request.BodyCase kind) {
        overrides.remove(kind);
        return this;
    }

    long count(Request.BodyCase kind) {
        return received.stream().filter(r -> r.getBodyCase() == kind).count();
    }

    /**
     * Says on every connection that this replica is leaving (a stopping replica's notice: call id
     * 0, NOT_MASTER, where the master is), as the client acceptor does at a stop.
     */
    void leave(FakeReplica master) throws IOException {
        byte[] notice = Response.newBuilder().setCallId(0).setError(Error.newBuilder()
                .setCode(ErrorCode.NOT_MASTER.wire()).setMessage("replica " + id + " is leaving"))
                .setMaster(master.location()).build().toByteArray();
        for (OutputStream out : outs.values()) {
            write(out, notice);
        }
    }

    /** Closes every client connection (the listening socket stays). */
    void dropAll() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        dropAll();
        exec.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "fake-replica-conn-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            outs.put(s, out);
            Hello.parseFrom(readFrame(in));
            write(out, HelloReply.newBuilder().setProtocolVersion(1).setReplicaId(id).setCell("test").build()
                    .toByteArray());
            while (!closed) {
                Request r = Request.parseFrom(readFrame(in));
                received.add(r);
                Exchange x = new Exchange(r, s, out);
                Behaviour b = overrides.get(r.getBodyCase());
                if (b != null) {
                    b.handle(x);
                } else {
                    standard(x);
                }
            }
        } catch (EOFException e) {
            closedByClient.incrementAndGet();
        } catch (java.net.SocketException e) {
            // the test dropped it
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int len = in.readInt();
        in.readShort();
        byte[] b = new byte[len - 2];
        in.readFully(b);
        return b;
    }

    private static void write(OutputStream out, byte[] msg) throws IOException {
        synchronized (out) {
            out.write(Frames.encode(msg));
            out.flush();
        }
    }

    /** Drops the connection at the first request it handles, answers the later ones as a master. */
    Behaviour dropFirst() {
        return first(Exchange::drop);
    }

    /** Resets the connection at the first request it handles, answers the later ones as a master. */
    Behaviour resetFirst() {
        return first(Exchange::reset);
    }

    private Behaviour first(Behaviour once) {
        AtomicBoolean done = new AtomicBoolean();
        return x -> {
            if (done.compareAndSet(false, true)) {
                once.handle(x);
            } else {
                standard(x);
            }
        };
    }

    MasterLocation location() {
        String m = masterAddress == null ? address() : masterAddress;
        return MasterLocation.newBuilder().setCell("test").setMasterId(m.equals(address()) ? id : 99)
                .setMasterAddress(m).setEpoch(epoch).build();
    }

    static StatMessage stat(long generation, int size) {
        return StatMessage.newBuilder().setInstance(1).setContentGeneration(generation).setSize(size).build();
    }

    /** The default master behaviour. */
    void standard(Exchange x) throws Exception {
        Request r = x.request;
        switch (r.getBodyCase()) {
            case MASTER_LOCATION -> x.reply(Response.newBuilder().setMasterLocation(location()));
            case CREATE_SESSION -> x.reply(Response.newBuilder().setCreateSession(CreateSessionReply.newBuilder()
                    .setSessionId(7).setLeaseMs(leaseMs).setEpoch(epoch)));
            case KEEP_ALIVE -> {
                int n = keepAlivesOutstanding.incrementAndGet();
                maxKeepAlivesOutstanding.accumulateAndGet(n, Math::max);
                exec.schedule(() -> {
                    keepAlivesOutstanding.decrementAndGet();
                    x.reply(Response.newBuilder().setKeepAlive(KeepAliveReply.newBuilder().setLeaseMs(leaseMs)
                            .setEpoch(epoch)));
                }, keepAliveHoldMs, TimeUnit.MILLISECONDS);
            }
            case CLOSE_SESSION, CLOSE -> x.reply(Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
            case OPEN -> {
                String p = r.getOpen().getDirHandle().isEmpty() ? r.getOpen().getPath()
                        : r.getOpen().getDirHandle().toStringUtf8() + "/" + r.getOpen().getPath();
                boolean create = r.getOpen().getCreateValue() != 0 && !files.containsKey(p);
                if (create) {
                    files.put(p, r.getOpen().getInitialContents().toByteArray());
                    if (r.getOpen().getDirectory()) {
                        directories.add(p);
                    }
                } else if (!files.containsKey(p)) {
                    x.fail(ErrorCode.NO_SUCH_NODE, "no node " + p);
                    return;
                }
                x.reply(Response.newBuilder().setOpen(OpenReply.newBuilder()
                        .setHandle(ByteString.copyFromUtf8(p)).setCreated(create).setStat(stat(1, files.get(p).length)
                                .toBuilder().setDirectory(directories.contains(p)))));
            }
            case GET_CONTENTS -> {
                byte[] d = files.get(r.getGetContents().getHandle().toStringUtf8());
                x.reply(Response.newBuilder().setGetContents(GetContentsReply.newBuilder()
                        .setContents(ByteString.copyFrom(d)).setStat(stat(1, d.length))));
            }
            case GET_STAT -> x.reply(Response.newBuilder().setStat(stat(1,
                    files.get(r.getGetStat().getHandle().toStringUtf8()).length)));
            case SET_CONTENTS -> {
                files.put(r.getSetContents().getHandle().toStringUtf8(), r.getSetContents().getContents().toByteArray());
                x.reply(Response.newBuilder().setSetContents(SetContentsReply.newBuilder()
                        .setStat(stat(2, r.getSetContents().getContents().size()))));
            }
            case READ_DIR -> {
                String dir = r.getReadDir().getHandle().toStringUtf8() + "/";
                ReadDirReply.Builder b = ReadDirReply.newBuilder();
                files.keySet().stream().filter(k -> k.startsWith(dir) && k.indexOf('/', dir.length()) < 0).sorted()
                        .forEach(k -> b.addEntries(DirEntryMessage.newBuilder().setName(k.substring(dir.length()))
                                .setStat(stat(1, files.get(k).length))));
                x.reply(Response.newBuilder().setReadDir(b));
            }
            case DELETE -> {
                files.remove(r.getDelete().getHandle().toStringUtf8());
                x.reply(Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
            }
            default -> x.fail(ErrorCode.INVALID_ARGUMENT, "fake does not do " + r.getBodyCase());
        }
    }

    /** One request and the means to answer it, now or later, from any thread. */
    final class Exchange {
        final Request request;
        private final Socket socket;
        private final OutputStream out;

        Exchange(Request request, Socket socket, OutputStream out) {
            this.request = request;
            this.socket = socket;
            this.out = out;
        }

        void reply(Response.Builder b) {
            try {
                write(out, b.setCallId(request.getCallId()).build().toByteArray());
            } catch (IOException e) {
                // connection gone: the client sees that itself
            }
        }

        void fail(ErrorCode code, String message) {
            reply(Response.newBuilder().setError(Error.newBuilder().setCode(code.wire()).setMessage(message)));
        }

        /** Refuses as a non-master, naming {@code master} as the one to ask. */
        void notMaster(FakeReplica master) {
            reply(Response.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire())
                    .setMessage("not the master")).setMaster(master.location()));
        }

        void drop() throws IOException {
            socket.close();
        }

        /** Resets the connection (RST instead of FIN): the client's read fails "Connection reset". */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }
}
