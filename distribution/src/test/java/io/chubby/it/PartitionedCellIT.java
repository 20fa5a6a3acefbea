package io.chubby.it;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.api.PartitionHash;
import io.chubby.api.SessionState;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import io.chubby.client.Sequencer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 step 14 on real processes: {@code chubby cell up --partitions 4} on 3 replicas of the
 * distribution (which ships the partitioning bundle) writes {@code partition.count=4} for every
 * replica, and returns once the group-0 master recorded the 4 partitions and every group has a
 * master; {@code cell status} lists the 4 groups under every replica, each with its master. Then the
 * Java client, routing every call to its partition's master: a lock with its sequencer checked,
 * files in the root directory (its children are on partition {@code slot("/") mod 4} = 2) and in a
 * directory whose children share that partition, read back uncached by another session.
 *
 * <p>Directories whose children live on the other partitions (0, 1, 3: the node on partition 2,
 * its children elsewhere) are made, filled, read back, refused deletion while not empty, emptied,
 * deleted and made again; the root and each of them are listed in full by another session (anchor
 * handles: the listing is answered by the partition of the children, docs/PARTITIONING.md 4.3). Creating and deleting such a directory crosses groups: they are made and
 * filled while the groups' masters are spread over the replica processes (at least two of them
 * master a group), so the directory protocol's steps travel between processes on the peer links
 * (peer {@code CrossRequest}/{@code CrossReply}, docs/PARTITIONING.md step 12). Then every group's
 * master is moved (pinned, with {@code paxos:transfer --group G --to R} in the replica mastering it)
 * to the replica R mastering partition 2, and the deletion and re-creation run there, in-process.
 *
 * <p>The number of partitions is the cell's for good: a re-run of {@code cell up} keeps it,
 * {@code --partitions 8} is refused with nothing started, and a replica configured with 8 behind the
 * CLI's back (its {@code etc/io.chubby.partition.cfg} edited) reports {@code partitioning=mismatch}
 * and refuses the calls of the groups it masters CELL_UNAVAILABLE naming both numbers, until it is
 * configured back to 4: then every file reads back as written.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PartitionedCellIT {
    private static final int N = 4;
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stop() {
        if (cell != null) {
            cell.stop();
        }
    }

    /** The partition holding the children of cell-relative directory {@code dir}. */
    private static int childrenPartition(String dir) {
        return PartitionHash.slotOf(dir) % N;
    }

    /** The first directory /dirK of the root whose children live on {@code partition}. */
    private static String directoryWithChildrenOn(int partition) {
        for (int k = 0; ; k++) {
            if (childrenPartition("/dir" + k) == partition) {
                return "/dir" + k;
            }
        }
    }

    private ChubbyClient client(String name) {
        return ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec()).clientName(name)
                .callTimeout(Duration.ofSeconds(30)).build());
    }

    @Test
    void cellUpWithFourPartitionsServesFilesSessionsAndLocksOnEveryPartition() throws Exception {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up("--partitions", Integer.toString(N));
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertTrue(up.out().contains("3 replicas, 4 partitions, client ports"), up.out());
        assertTrue(up.out().contains("partitions: 4 fnv1a64-v1, group masters 0->r"), up.out());
        for (int i = 1; i <= 3; i++) {
            String cfg = Files.readString(cell.dir().resolve("replica-" + i).resolve("etc")
                    .resolve("io.chubby.partition.cfg"));
            assertTrue(cfg.contains("\npartition.count=4\n"), cfg);
        }
        LocalCell.Run status = cell.status();
        assertEquals(0, status.exit(), status::toString);
        assertEquals(3 * N, status.out().lines().filter(l -> l.startsWith("  group=")).count(), status.out());
        for (int g = 0; g < N; g++) {
            assertTrue(status.out().contains("  group=" + g + " role=master"), "group " + g + " has a master:\n"
                    + status.out());
        }

        assertPartitionNamesInDns();

        int root = childrenPartition("/");
        Map<String, byte[]> written = new TreeMap<>();
        try (ChubbyClient writer = client("partitioned-writer")) {
            // a lock on a file of the root directory, its sequencer checked at that partition's master
            String lockPath = "/ls/local/lock";
            try (Handle h = writer.open(lockPath, OpenOptions.write().withCreate(CreateMode.MAY))) {
                assertTrue(h.tryAcquire(LockMode.EXCLUSIVE));
                Sequencer s = h.getSequencer();
                assertTrue(writer.checkSequencer(s.bytes()).valid(), "the holder's sequencer is valid");
                h.release();
                assertFalse(writer.checkSequencer(s.bytes()).valid(), "a released sequencer is refused");
            }
            // files in the root directory (partition 2) and in a directory whose children share it
            String local = directoryWithChildrenOn(root);
            writer.mkdir("/ls/local" + local);
            for (String dir : List.of("", local)) {
                for (int f = 0; f < 3; f++) {
                    String path = "/ls/local" + dir + "/file" + f;
                    byte[] v = (path + " v1").getBytes(StandardCharsets.UTF_8);
                    writer.write(path, v);
                    written.put(path, v);
                }
            }
            assertEquals(SessionState.SAFE, writer.sessionState());

            // directories whose children live on the other partitions: creating one crosses groups
            // (docs/PARTITIONING.md 4.1-4.2), here between masters in different replica processes
            // (placement moves each group to its home replica, g mod 3, once it is settled)
            TreeSet<Integer> masters = await("group masters on more than one replica", () -> {
                TreeSet<Integer> seen = new TreeSet<>();
                for (ReplicaStatus.Group s : status(1).groups()) {
                    if (s.masterId() > 0) {
                        seen.add(s.masterId());
                    }
                }
                return seen.size() > 1 ? seen : null;
            });
            assertTrue(masters.size() > 1, "group masters spread over the replicas: " + masters);
            List<String> crossing = new ArrayList<>();
            for (int p = 0; p < N; p++) {
                if (p != root) {
                    crossing.add(directoryWithChildrenOn(p));
                }
            }
            for (String dir : crossing) {
                writer.mkdir("/ls/local" + dir);
                for (int f = 0; f < 3; f++) {
                    String path = "/ls/local" + dir + "/file" + f;
                    byte[] v = (path + " v1").getBytes(StandardCharsets.UTF_8);
                    writer.write(path, v);
                    written.put(path, v);
                }
            }
            TreeSet<Integer> partitions = new TreeSet<>();
            for (String path : written.keySet()) {
                partitions.add(childrenPartition(NodePath.parse(path).parent().cellRelative()));
            }
            assertEquals(new TreeSet<>(List.of(0, 1, 2, 3)), partitions, "files on every partition");

            try (ChubbyClient reader = client("partitioned-reader")) {
                for (Map.Entry<String, byte[]> e : written.entrySet()) {
                    assertArrayEquals(e.getValue(), reader.read(e.getKey(), CacheMode.UNCACHED), e.getKey());
                }
                // listed from the partition of their children (anchor handles, docs/PARTITIONING.md 4.3):
                // the root (node on 0, children on 2) and each crossing directory (node on 2)
                List<String> top = reader.list("/ls/local").stream().map(DirEntry::name).toList();
                for (String dir : crossing) {
                    assertTrue(top.contains(dir.substring(1)), dir + " listed in the root: " + top);
                    assertEquals(List.of("file0", "file1", "file2"), reader.list("/ls/local" + dir).stream()
                            .map(DirEntry::name).sorted().toList(), "listing of " + dir);
                }
                assertEquals(SessionState.SAFE, reader.sessionState());
            }
            // every group's master moved to the replica mastering the root's children (pinned:
            // placement keeps them there); the deletion below then crosses groups in one process
            int home = masterOf(root);
            for (int g = 0; g < N; g++) {
                int m = masterOf(g);
                if (m != home) {
                    LocalCell.Run moved = cell.chubby(null, "admin", "--replica", cell.clientAddress(m),
                            "paxos:transfer --group " + g + " --to " + home);
                    assertEquals(0, moved.exit(), moved::toString);
                    assertTrue(moved.out().contains("group " + g + ": mastership moved from replica " + m
                            + " to replica " + home), moved.out());
                }
            }
            awaitMasters(home);
            // a crossing directory is not deleted while it has children; emptied, it is
            String gone = crossing.get(0);
            ChubbyException notEmpty = assertThrows(ChubbyException.class, () -> writer.delete("/ls/local" + gone));
            assertEquals(ErrorCode.NOT_EMPTY, notEmpty.code(), notEmpty::toString);
            for (int f = 0; f < 3; f++) {
                writer.delete("/ls/local" + gone + "/file" + f);
                written.remove("/ls/local" + gone + "/file" + f);
            }
            writer.delete("/ls/local" + gone);
            assertFalse(writer.exists("/ls/local" + gone));
            // made again: a new instance, none of the old children in it
            writer.mkdir("/ls/local" + gone);
            assertFalse(writer.exists("/ls/local" + gone + "/file0"));
            assertEquals(SessionState.SAFE, writer.sessionState());
        }

        // the cell keeps its 4 partitions: a re-run is the same cell, another N is refused, nothing restarted
        LocalCell.Run again = cell.up();
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.out().contains("partitions: 4 fnv1a64-v1"), again.out());
        LocalCell.Run eight = cell.up("--partitions", "8");
        assertEquals(2, eight.exit(), eight::toString);
        assertTrue(eight.err().contains("was created with 4 partition(s), not 8"), eight.err());

        // a replica configured with another N on this cell with data is refused, not re-partitioned:
        // its Status says so and the calls it masters are refused with the reason; configured back,
        // it serves again and nothing was lost
        int home = masterOf(root);
        Path cfg = cell.dir().resolve("replica-" + home).resolve("etc").resolve("io.chubby.partition.cfg");
        String configured = Files.readString(cfg);
        Files.writeString(cfg, configured.replace("partition.count=4", "partition.count=8"));
        assertEquals("mismatch (bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1)",
                awaitMetric(home, m -> m != null && m.startsWith("mismatch")));
        ChubbyException refused = assertThrows(ChubbyException.class, () -> ChubbyClient.connect(ClientOptions.builder()
                .cell(cell.cellSpec()).clientName("partitioned-refused").callTimeout(Duration.ofSeconds(3)).build()));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, refused.code(), refused::toString);
        assertTrue(refused.getMessage().contains("this cell is partitioned 4 ways (fnv1a64-v1) and the deployed "
                + "partitioner does not match: bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1"), refused.getMessage());
        Files.writeString(cfg, configured);
        assertEquals("4 fnv1a64-v1", awaitMetric(home, "4 fnv1a64-v1"::equals));
        try (ChubbyClient reader = client("partitioned-reader-after")) {
            for (Map.Entry<String, byte[]> e : written.entrySet()) {
                assertArrayEquals(e.getValue(), reader.read(e.getKey(), CacheMode.UNCACHED), e.getKey());
            }
            assertEquals(SessionState.SAFE, reader.sessionState());
        }
    }

    /** The master of group {@code g} as replica 1..3 report it (the first that knows one). */
    /**
     * The DNS bridge's names of the partitions (docs/PARTITIONING.md section 3), asked with {@code
     * dig} at replica 1's bridge: the TXT of the map, and per partition the SRV of every replica with
     * priority 0 for the group's master (as {@code Status} names it) and its epoch's TXT.
     */
    private void assertPartitionNamesInDns() throws InterruptedException {
        int dns = cell.basePort() + 50 + 1;
        assertEquals(List.of("\"n=4\" \"hash=fnv1a64-v1\" \"slots=4096\""),
                await("the partition map in DNS", () -> {
                    List<String> txt = Dig.ask(dns, "+notcp", "partitions.local.chubby.", "TXT");
                    return txt.isEmpty() ? null : txt;
                }));
        for (int g = 0; g < N; g++) {
            int group = g;
            String zone = ".p" + g + ".local.chubby.";
            // the bridge answers from its replica's view, which learns each group's master within a lease
            List<String> srv = await("partition " + g + "'s SRV naming its master first", () -> {
                ReplicaStatus.Group mine = status(1).groups().stream().filter(x -> x.group() == group).findFirst()
                        .orElse(null);
                if (mine == null || mine.masterId() <= 0) {
                    return null;
                }
                List<String> lines = Dig.ask(dns, "+notcp", "_chubby._tcp" + zone, "SRV");
                String first = "0 0 " + (cell.basePort() + mine.masterId()) + " r" + mine.masterId() + ".local.chubby.";
                return lines.size() == 3 && lines.contains(first) ? lines : null;
            });
            assertEquals(1, srv.stream().filter(l -> l.startsWith("0 ")).count(), () -> "one master: " + srv);
            assertEquals(List.of("127.0.0.1"), Dig.ask(dns, "+tcp", "master" + zone, "A"));
            List<String> epoch = Dig.ask(dns, "+tcp", "epoch" + zone, "TXT");
            assertEquals(1, epoch.size(), () -> "partition " + group + "'s epoch: " + epoch);
        }
    }

    private int masterOf(int g) throws InterruptedException {
        return await("a master of group " + g, () -> {
            for (int i = 1; i <= 3; i++) {
                for (ReplicaStatus.Group s : status(i).groups()) {
                    if (s.group() == g && s.masterId() > 0) {
                        return s.masterId();
                    }
                }
            }
            return null;
        });
    }

    /** Waits until every replica reports replica {@code home} as the master of every group. */
    private void awaitMasters(int home) throws InterruptedException {
        await("replica " + home + " mastering every group", () -> {
            for (int i = 1; i <= 3; i++) {
                List<ReplicaStatus.Group> groups = status(i).groups();
                if (groups.size() != N || groups.stream().anyMatch(s -> s.masterId() != home)) {
                    return null;
                }
            }
            return home;
        });
    }

    /** Replica {@code id}'s Status metric {@code partitioning}, once {@code wanted}. */
    private String awaitMetric(int id, Predicate<String> wanted) throws InterruptedException {
        return await("replica " + id + "'s partitioning metric", () -> {
            String m = status(id).metrics().get("partitioning");
            return wanted.test(m) ? m : null;
        });
    }

    private ReplicaStatus status(int id) {
        return ChubbyClient.status(cell.clientAddress(id), Duration.ofSeconds(5));
    }

    /** The first non-null value of {@code probe} (a failed probe counts as null), within 60 s. */
    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (ChubbyException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + (last == null ? "" : " (last error: " + last + ")"));
    }
}
