package io.chubby.bench;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A 5-replica cell of ours, started and stopped with the distribution's {@code chubby cell} commands. */
final class ChubbyCell implements SystemUnderTest {
    private final Path home;
    private final Path dir;
    private final int replicas;
    private final int basePort;
    private final String serverOpts;

    /** {@code serverOpts}: extra JVM options of every replica (CHUBBY_SERVER_OPTS), e.g. a flight recording. */
    ChubbyCell(Path home, Path dir, int replicas, int basePort, String serverOpts) {
        this.home = home;
        this.dir = dir;
        this.replicas = replicas;
        this.basePort = basePort;
        this.serverOpts = serverOpts;
    }

    @Override
    public String name() {
        return "chubby";
    }

    private List<String> chubby(String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/chubby").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public void start() throws Exception {
        Procs.run(home, chubby("cell", "up", "--replicas", "" + replicas, "--dir", dir.toString(), "--base-port",
                "" + basePort), 120, serverOpts.isEmpty() ? Map.of() : Map.of("CHUBBY_SERVER_OPTS", serverOpts));
    }

    String cellSpec() {
        List<String> a = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            a.add("127.0.0.1:" + (basePort + i));
        }
        return String.join(",", a);
    }

    private ReplicaStatus master() {
        for (int i = 1; i <= replicas; i++) {
            try {
                ReplicaStatus s = ChubbyClient.status("127.0.0.1:" + (basePort + i), Duration.ofSeconds(1));
                if (s.isMaster()) {
                    return s;
                }
            } catch (ChubbyException down) {
                // a replica that does not answer is not the master
            }
        }
        throw new IllegalStateException("no master found");
    }

    /** The master's client address and epoch, waiting up to 30 s for a master to exist. */
    RawLoad.MasterRef masterRef() {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                ReplicaStatus s = master();
                String a = s.address() == null || s.address().isEmpty() ? "127.0.0.1:" + (basePort + s.replicaId())
                        : s.address();
                return new RawLoad.MasterRef(a, s.epoch());
            } catch (IllegalStateException none) {
                if (System.nanoTime() > end) {
                    throw none;
                }
                Procs.sleep(100);
            }
        }
    }

    @Override
    public KvClient newClient() {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(cellSpec()).callTimeout(Duration.ofSeconds(20))
                .build());
        return new KvClient() {
            private final Map<String, Handle> handles = new ConcurrentHashMap<>();
            private final Map<String, ByteString> rawHandles = new ConcurrentHashMap<>();
            private RawLoad raw;
            private RawLoad.Session rawSession;

            @Override
            public void prepare(String key) {
                handles.computeIfAbsent(key, k -> c.open("/ls/local/" + k, OpenOptions.write().withCreate(CreateMode.MAY)));
            }

            @Override
            public void write(String key, byte[] value) {
                handles.get(key).setContents(value);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                return handles.get(key).setContentsAsync(value).thenApply(s -> null);
            }

            /**
             * The client library serves repeated reads from its cache, so uncached reads go over
             * the raw protocol: GetContents on an open handle of a load-generator session.
             */
            @Override
            public synchronized CompletableFuture<byte[]> readAsync(String key) {
                try {
                    if (raw == null) {
                        raw = new RawLoad(ChubbyCell.this::masterRef, 1);
                        rawSession = raw.createSession().get();
                        rawSession.keepAliveLoop();
                    }
                    ByteString h = rawHandles.get(key);
                    if (h == null) {
                        h = rawSession.open("/ls/local/" + key, 0).get();
                        rawHandles.put(key, h);
                    }
                    return rawSession.read(h).thenApply(r -> r.getGetContents().getContents().toByteArray());
                } catch (Exception e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public byte[] cachedRead(String key) {
                return handles.get(key).getContentsAndStat().data();
            }

            @Override
            public DistLock lock(String name) {
                Handle h = c.open("/ls/local/" + name, OpenOptions.write().withCreate(CreateMode.MAY));
                return new DistLock() {
                    @Override
                    public void acquire() {
                        h.acquire(LockMode.EXCLUSIVE);
                    }

                    @Override
                    public void release() {
                        h.release();
                    }
                };
            }

            @Override
            public void close() {
                if (raw != null) {
                    if (rawSession != null) {
                        rawSession.close();
                    }
                    raw.close();
                }
                c.close();
            }
        };
    }

    @Override
    public SessionPool sessions() throws Exception {
        return new ChubbySessions(this::masterRef, 4);
    }

    @Override
    public long leaderPid() {
        return master().pid();
    }

    @Override
    public void restartStopped() throws Exception {
        start();
    }

    @Override
    public void close() {
        try {
            Procs.run(home, chubby("cell", "down", "--dir", dir.toString()), 120);
        } catch (Exception e) {
            System.err.println("cell down failed: " + e.getMessage());
        }
    }
}
