package io.chubby.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An etcd 3.4 cluster (Debian's etcd-server) of real processes on loopback with etcd's default
 * settings (heartbeat 100 ms, election timeout 1000 ms, fsync on), driven through jetcd.
 */
final class EtcdCluster implements SystemUnderTest {
    private final Path dir;
    private final int size;
    private final int basePort;
    private final Process[] procs;

    EtcdCluster(Path dir, int size, int basePort) {
        this.dir = dir;
        this.size = size;
        this.basePort = basePort;
        this.procs = new Process[size + 1];
    }

    @Override
    public String name() {
        return "etcd";
    }

    private String clientUrl(int i) {
        return "http://127.0.0.1:" + (basePort + i);
    }

    private String peerUrl(int i) {
        return "http://127.0.0.1:" + (basePort + 100 + i);
    }

    /** The client endpoints, comma-separated (etcdctl's --endpoints). */
    String endpointList() {
        return String.join(",", endpoints());
    }

    private String[] endpoints() {
        String[] e = new String[size];
        for (int i = 1; i <= size; i++) {
            e[i - 1] = clientUrl(i);
        }
        return e;
    }

    @Override
    public void start() throws Exception {
        for (int i = 1; i <= size; i++) {
            Files.createDirectories(dir.resolve("e" + i));
            startOne(i, "new");
        }
        waitForLeader(60_000);
    }

    private void startOne(int i, String state) throws Exception {
        List<String> cluster = new ArrayList<>();
        for (int j = 1; j <= size; j++) {
            cluster.add("e" + j + "=" + peerUrl(j));
        }
        Path d = dir.resolve("e" + i);
        procs[i] = Procs.spawn(d, List.of("etcd", "--name", "e" + i, "--data-dir", d.resolve("data").toString(),
                "--listen-client-urls", clientUrl(i), "--advertise-client-urls", clientUrl(i),
                "--listen-peer-urls", peerUrl(i), "--initial-advertise-peer-urls", peerUrl(i),
                "--initial-cluster", String.join(",", cluster), "--initial-cluster-state", state,
                "--initial-cluster-token", "bench"), d.resolve("console.log"));
    }

    private int leaderIndex() {
        try (Client c = Client.builder().endpoints(endpoints()).build()) {
            for (int i = 1; i <= size; i++) {
                if (procs[i] == null || !procs[i].isAlive()) {
                    continue;
                }
                try {
                    StatusResponse s = c.getMaintenanceClient().statusMember(clientUrl(i)).get(1, TimeUnit.SECONDS);
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                        return i;
                    }
                } catch (Exception down) {
                    // not answering: not the leader
                }
            }
        }
        return 0;
    }

    private void waitForLeader(long ms) {
        long end = System.currentTimeMillis() + ms;
        while (leaderIndex() == 0) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("etcd elected no leader in " + ms + " ms");
            }
            Procs.sleep(200);
        }
    }

    @Override
    public KvClient newClient() {
        Client c = Client.builder().endpoints(endpoints()).build();
        return new KvClient() {
            @Override
            public void prepare(String key) {
            }

            @Override
            public void write(String key, byte[] value) throws Exception {
                writeAsync(key, value).get(20, TimeUnit.SECONDS);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                return c.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                        .thenApply(r -> null);
            }

            @Override
            public CompletableFuture<byte[]> readAsync(String key) {
                return c.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                        .thenApply(r -> r.getKvs().isEmpty() ? new byte[0] : r.getKvs().get(0).getValue().getBytes());
            }

            @Override
            public DistLock lock(String name) throws Exception {
                // etcd's lock belongs to a lease (its "session"): granted once, kept alive while the client lives
                long lease = c.getLeaseClient().grant(15).get(20, TimeUnit.SECONDS).getID();
                keepAlives.add(c.getLeaseClient().keepAlive(lease, new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse r) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
                ByteSequence lockName = ByteSequence.from("bench-locks/" + name, StandardCharsets.UTF_8);
                return new DistLock() {
                    private ByteSequence key;

                    @Override
                    public void acquire() throws Exception {
                        key = c.getLockClient().lock(lockName, lease).get(60, TimeUnit.SECONDS).getKey();
                    }

                    @Override
                    public void release() throws Exception {
                        c.getLockClient().unlock(key).get(60, TimeUnit.SECONDS);
                    }
                };
            }

            private final List<io.etcd.jetcd.support.CloseableClient> keepAlives = new java.util.concurrent.CopyOnWriteArrayList<>();

            @Override
            public void close() {
                keepAlives.forEach(io.etcd.jetcd.support.CloseableClient::close);
                c.close();
            }
        };
    }

    @Override
    public SessionPool sessions() {
        return new EtcdSessions(endpoints(), 4);
    }

    @Override
    public long leaderPid() {
        int i = leaderIndex();
        if (i == 0) {
            throw new IllegalStateException("no etcd leader");
        }
        return procs[i].pid();
    }

    @Override
    public void restartStopped() throws Exception {
        for (int i = 1; i <= size; i++) {
            if (procs[i] == null || !procs[i].isAlive()) {
                startOne(i, "existing");
            }
        }
        waitForLeader(60_000);
    }

    @Override
    public void close() {
        Procs.stopAll(procs);
    }
}
