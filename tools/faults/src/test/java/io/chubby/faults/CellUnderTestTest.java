package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.ReplicaStatus;
import io.chubby.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiring and process control of {@link CellUnderTest}, with a stand-in bin/chubby-server
 * (a shell script that records its argument and sleeps) instead of the real distribution.
 */
class CellUnderTestTest {
    @TempDir
    Path tmp;

    private Path fakeDistribution() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("dist/bin"));
        Path script = bin.resolve("chubby-server");
        Files.writeString(script, "#!/usr/bin/env bash\necho \"$1\" > \"$1/started-with\"\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tmp.resolve("dist");
    }

    private static Properties config(Path instance) throws IOException {
        return config(instance, "io.chubby.replica");
    }

    private static Properties config(Path instance, String pid) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(instance.resolve("etc/" + pid + ".cfg"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void everyReplicaDialsItsPeersThroughTheProxyOfItsOwnLink() throws Exception {
        try (CellUnderTest cell = new CellUnderTest(fakeDistribution(), tmp.resolve("cell"), 3, true,
                Map.of("paxos.lease.ms", "1500"), "")) {
            for (int i = 1; i <= 3; i++) {
                Properties p = config(cell.instanceDir(i));
                assertEquals("local", p.getProperty("cell.name"));
                assertEquals(Integer.toString(i), p.getProperty("replica.id"));
                assertEquals(4, p.size(), "the identity file has the identity keys only: " + p);
                assertEquals("1500", config(cell.instanceDir(i), "io.chubby.paxos").getProperty("paxos.lease.ms"));
                assertEquals(cell.instanceDir(i).resolve("data").toString(), p.getProperty("data.dir"));
                List<String> members = List.of(p.getProperty("members").split(","));
                assertEquals(3, members.size());
                for (int j = 1; j <= 3; j++) {
                    String[] hp = members.get(j - 1).split("@")[1].split(":");
                    assertEquals(Integer.toString(j), members.get(j - 1).split("@")[0]);
                    int clientPort = Integer.parseInt(hp[1]);
                    int peerPort = Integer.parseInt(hp[2]);
                    if (i == j) {
                        assertEquals(cell.directAddress(i), "127.0.0.1:" + clientPort, "own entry: real client port");
                    } else {
                        assertEquals(cell.peerProxy(i, j).port(), peerPort, "link " + i + "->" + j);
                        assertEquals(cell.clientProxy(j).orElseThrow().port(), clientPort);
                    }
                }
            }
            // the members lists of two replicas name different proxies for the same target
            assertTrue(cell.peerProxy(1, 3).port() != cell.peerProxy(2, 3).port());
            assertEquals("127.0.0.1:" + cell.clientProxy(2).orElseThrow().port(), cell.clientAddresses().get(1));
        }
    }

    @Test
    void startsKillsPausesAndCleansUp() throws Exception {
        long pid;
        try (CellUnderTest cell = new CellUnderTest(fakeDistribution(), tmp.resolve("cell"), 2, false, Map.of(), "")) {
            cell.startAll();
            assertTrue(cell.alive(1) && cell.alive(2));
            pid = cell.pid(1);
            Await.until("replica 1's start script to run", () -> Files.exists(cell.instanceDir(1).resolve("started-with")));
            assertEquals(cell.instanceDir(1).toString(), Files.readString(cell.instanceDir(1).resolve("started-with")).trim());

            cell.pause(1);
            Await.until("SIGSTOP to leave the process stopped (state T)", () -> "T".equals(state(pid)));
            cell.resume(1);
            Await.until("SIGCONT to let it sleep again (state S)", () -> "S".equals(state(pid)));

            cell.kill(2);
            assertFalse(cell.alive(2));
            cell.start(2);
            assertTrue(cell.alive(2));
            assertEquals("127.0.0.1:", cell.clientAddresses().get(0).substring(0, 10));
        }
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "close kills every replica");
    }

    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    private static ReplicaStatus.Group group(int g, String role, long epoch, boolean leaseValid) {
        return new ReplicaStatus.Group(g, role, 0, epoch, 1, 1, 0, 1, leaseValid, 0, 0);
    }

    private static ReplicaStatus status(int id, ReplicaStatus.Group... groups) {
        return new ReplicaStatus(id, "replica", 0, 1, 1, 1, 0, 1, false, 0, 1, "127.0.0.1:" + (7000 + id), 0,
                Map.of(), List.of(groups));
    }

    @Test
    void aGroupsMasterIsTheReplicaThatSaysSoWithAValidLeaseAtTheHighestEpoch() {
        List<ReplicaStatus> seen = List.of(
                status(1, group(0, "master", 257, true), group(1, "replica", 514, false)),
                status(2, group(0, "replica", 257, false), group(1, "master", 514, true)),
                status(3, group(0, "replica", 257, false), group(1, "master", 770, true)),
                status(4, group(0, "master", 1028, false), group(1, "replica", 770, false)));
        assertEquals(new CellUnderTest.GroupMaster(0, 1, 257), CellUnderTest.groupMaster(0, seen).orElseThrow(),
                "a master whose lease ran out does not count");
        assertEquals(new CellUnderTest.GroupMaster(1, 3, 770), CellUnderTest.groupMaster(1, seen).orElseThrow(),
                "of two that say so, the one at the higher epoch");
        assertTrue(CellUnderTest.groupMaster(2, seen).isEmpty());
    }
}
