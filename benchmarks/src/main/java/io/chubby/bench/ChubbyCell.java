package io.chubby.bench;

import io.chubby.api.ChubbyException;
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

    ChubbyCell(Path home, Path dir, int replicas, int basePort) {
        this.home = home;
        this.dir = dir;
        this.replicas = replicas;
        this.basePort = basePort;
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
                "" + basePort), 120);
    }

    String cellSpec() {
        List<String> a = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            a.add("127.0.0.1:" + (basePort + i));
        }
        return String.join(",", a);
    }

    @Override
    public KvClient newClient() {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(cellSpec()).callTimeout(Duration.ofSeconds(20))
                .build());
        return new KvClient() {
            private final Map<String, Handle> handles = new ConcurrentHashMap<>();

            @Override
            public void prepare(String key) {
                String path = "/ls/local/" + key;
                handles.put(key, c.open(path, OpenOptions.write().withCreate(io.chubby.api.CreateMode.MAY)));
            }

            @Override
            public void write(String key, byte[] value) {
                handles.get(key).setContents(value);
            }

            @Override
            public CompletableFuture<Void> writeAsync(String key, byte[] value) {
                return handles.get(key).setContentsAsync(value).thenApply(s -> null);
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    @Override
    public long leaderPid() {
        for (int i = 1; i <= replicas; i++) {
            try {
                ReplicaStatus s = ChubbyClient.status("127.0.0.1:" + (basePort + i), Duration.ofSeconds(1));
                if (s.isMaster()) {
                    return s.pid();
                }
            } catch (ChubbyException down) {
                // a replica that does not answer is not the master
            }
        }
        throw new IllegalStateException("no master found");
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
