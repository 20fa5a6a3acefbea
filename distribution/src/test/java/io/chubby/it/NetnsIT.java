package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Five real replicas on five "hosts" ({@link NetnsHosts}: one network namespace and address each,
 * on a bridge), started with {@code ip netns exec NS bin/chubby-server --config FILE}, driven by a
 * Java client and {@code bin/chubby} in the root namespace: a master is elected and serves writes;
 * kill -9 of the master gives a new master and every acknowledged write survives; the master's link
 * taken down gives a new master on the majority side while the cut-off replica stops being master
 * (asked from inside its own namespace) and refuses a write; healed, it catches up (one applied
 * index and checksum everywhere); a follower's backup restored into another replica's wiped data
 * directory, that replica restarted on its host, catches up too; a follower removed from the
 * members, its disk wiped, started joining on its host and added back (a membership change across
 * hosts). Needs root and iproute2.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NetnsIT {
    private static final long DEADLINE_MS = 30_000;
    private static final int WRITES = 50;
    private static final Pattern BACKUP_LINE = Pattern.compile("backup (\\S+) cell=\\S+ replica=(\\d+) .*");
    private NetnsHosts hosts;
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void removeHostsAndReplicas() {
        try {
            if (cell != null) {
                cell.destroy();
            }
        } finally {
            if (hosts != null) {
                hosts.close();
            }
        }
    }

    @Test
    void failoverPartitionAndRestoreAcrossNamespaces() throws Exception {
        hosts = NetnsHosts.create(5);
        cell = new LocalCell(5, hosts::address);
        for (int id = 1; id <= 5; id++) {
            cell.start(id, hosts.on(id));
        }
        cell.await("a master", () -> cell.master().orElse(null), 60_000);
        long failoverMs;
        try (ChubbyClient c = client()) {
            c.mkdir("/ls/local/w");
            for (int i = 0; i < WRITES; i++) {
                c.write("/ls/local/w/n" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            failoverMs = killTheMaster(c);
        }
        long partitionMs = cutTheMaster();
        long restoreMs;
        try (ChubbyClient c = client()) {
            restoreMs = restoreAFollower(c);
        }
        long rejoinMs = replaceAFollowersDisk();
        System.out.printf("NetnsIT: kill -9 of the master: writes again after %d ms; master's link down: "
                + "a new client's write succeeds after %d ms; restored replica restarted: converged after %d ms; "
                + "a follower removed, wiped and added back on its host: member add took %d ms%n",
                failoverMs, partitionMs, restoreMs, rejoinMs);
    }

    private ChubbyClient client() {
        return ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec()).clientName("netns-it")
                .callTimeout(Duration.ofSeconds(30)).build());
    }

    /** kill -9 of the master: a new master with a higher epoch serves, every acknowledged write is there. */
    private long killTheMaster(ChubbyClient c) throws Exception {
        Map<String, String> old = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS);
        int oldId = Integer.parseInt(old.get("replica"));
        ProcessHandle victim = ProcessHandle.of(cell.pid(oldId).orElseThrow()).orElseThrow();
        long start = System.nanoTime();
        victim.destroyForcibly();
        victim.onExit().get(30, TimeUnit.SECONDS);
        c.write("/ls/local/after-kill", "x".getBytes(StandardCharsets.UTF_8));
        long pauseMs = (System.nanoTime() - start) / 1_000_000;
        Map<String, String> now = cell.await("a new master", () -> cell.master().orElse(null), DEADLINE_MS);
        assertNotEquals(Integer.toString(oldId), now.get("replica"));
        assertTrue(Long.parseLong(now.get("epoch")) > Long.parseLong(old.get("epoch")), now::toString);
        for (int i = 0; i < WRITES; i++) {
            assertArrayEquals(("v" + i).getBytes(StandardCharsets.UTF_8), c.read("/ls/local/w/n" + i), "write " + i);
        }
        cell.start(oldId, hosts.on(oldId));
        cell.await("all 5 replicas converged after the restart of " + oldId, cell::converged, 60_000);
        return pauseMs;
    }

    /**
     * The master's link down: the four others elect a master and serve; the cut-off replica, asked
     * on its own host, stops being master (its lease lapses) and refuses a write; healed, it catches up.
     */
    private long cutTheMaster() throws Exception {
        Map<String, String> old = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS);
        int cutId = Integer.parseInt(old.get("replica"));
        long start = System.nanoTime();
        hosts.cut(cutId);
        // a fresh bin/chubby each try: a session on the cut-off master hears nothing back (no reset
        // on a link that is down), so its call could only end in OUTCOME_UNKNOWN at its timeout
        cell.await("a write through the majority", () -> cell.chubby(null, "--timeout", "5", "put",
                "/ls/local/after-cut", "x").exit() == 0 ? Boolean.TRUE : null, DEADLINE_MS);
        long pauseMs = (System.nanoTime() - start) / 1_000_000;
        Map<String, String> now = cell.await("a master on the majority side", () -> cell.master()
                .filter(m -> !m.get("replica").equals(Integer.toString(cutId))).orElse(null), DEADLINE_MS);
        assertTrue(Long.parseLong(now.get("epoch")) > Long.parseLong(old.get("epoch")), now::toString);

        String self = cell.clientAddress(cutId);
        Map<String, String> alone = cell.await("replica " + cutId + " not master on its own host", () -> {
            LocalCell.Run r = cell.chubbyBehind(hosts.on(cutId), null, "--cell", self, "--timeout", "3", "cell", "status");
            List<Map<String, String>> lines = LocalCell.parsedLines(r, "replica");
            return lines.size() == 1 && !"master".equals(lines.get(0).get("role"))
                    && !"down".equals(lines.get(0).get("role")) ? lines.get(0) : null;
        }, DEADLINE_MS);
        LocalCell.Run refused = cell.chubbyBehind(hosts.on(cutId), null, "--cell", self, "--timeout", "3",
                "put", "/ls/local/cut-off", "x");
        assertNotEquals(0, refused.exit(), () -> "the cut-off replica serves no write: " + refused + alone);

        hosts.heal(cutId);
        cell.await("all 5 replicas converged after healing " + cutId, cell::converged, 60_000);
        return pauseMs;
    }

    /**
     * {@code backup create} of a follower; another follower killed, its data directory wiped and
     * restored from that backup, restarted on its host: it logs the restore and catches up.
     */
    private long restoreAFollower(ChubbyClient c) throws Exception {
        Path backups = cell.dir().resolve("backups");
        LocalCell.Run created = cell.chubby(null, "backup", "create", "--to", backups.toString());
        assertEquals(0, created.exit(), created::toString);
        Matcher m = BACKUP_LINE.matcher(created.out().strip());
        assertTrue(m.matches(), created::toString);
        Path backup = Path.of(m.group(1));
        String backedUp = m.group(2);
        String master = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS).get("replica");
        assertNotEquals(master, backedUp, "a follower is backed up");
        int victim = 1;
        while (Integer.toString(victim).equals(master) || Integer.toString(victim).equals(backedUp)) {
            victim++;
        }
        ProcessHandle h = ProcessHandle.of(cell.pid(victim).orElseThrow()).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(30, TimeUnit.SECONDS);
        Path replicaDir = cell.dir().resolve("replica-" + victim);
        deleteTree(replicaDir.resolve("data"));
        LocalCell.Run restored = cell.chubby(null, "backup", "restore", "--from", backup.toString(), "--dir",
                replicaDir.resolve("data").toString());
        assertEquals(0, restored.exit(), restored::toString);
        c.write("/ls/local/after-backup", "x".getBytes(StandardCharsets.UTF_8));

        long start = System.nanoTime();
        cell.start(victim, hosts.on(victim));
        cell.await("all 5 replicas converged after the restore of " + victim, cell::converged, 60_000);
        long catchUpMs = (System.nanoTime() - start) / 1_000_000;
        String log = Files.readString(replicaDir.resolve("log").resolve("replica.log"), StandardCharsets.UTF_8);
        int v = victim;
        assertTrue(log.contains("restored from backup "), () -> "replica " + v + " logs the restore" + cell.logs());
        return catchUpMs;
    }

    /**
     * A membership change across hosts: a follower is removed ({@code chubby member remove}), its
     * process stopped and its disk wiped, then started joining on its own host and added back with
     * its namespace addresses ({@code chubby member add}); the member list names every replica at
     * its host's address and all five converge. Returns how long the add took.
     */
    private long replaceAFollowersDisk() throws Exception {
        String master = cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS).get("replica");
        int f = Integer.parseInt(master) == 5 ? 4 : 5;
        LocalCell.Run removed = cell.chubby(null, "member", "remove", Integer.toString(f));
        assertEquals(0, removed.exit(), () -> removed + cell.logs());
        cell.removed(f);
        ProcessHandle h = ProcessHandle.of(cell.pid(f).orElseThrow()).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(30, TimeUnit.SECONDS);
        deleteTree(cell.dir().resolve("replica-" + f).resolve("data"));
        cell.startJoining(f, hosts.on(f));
        long start = System.nanoTime();
        LocalCell.Run added = cell.chubby(null, "member", "add", Integer.toString(f), cell.peerAddress(f),
                cell.clientAddress(f));
        long addMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, added.exit(), () -> added + cell.logs());
        assertTrue(added.out().contains("replica " + f + " added"), added::toString);
        cell.added(f);
        LocalCell.Run list = cell.chubby(null, "member", "list");
        assertEquals(0, list.exit(), list::toString);
        for (int id = 1; id <= 5; id++) {
            assertTrue(list.out().contains(cell.peerAddress(id)) && list.out().contains(cell.clientAddress(id)),
                    "replica " + id + " at its host's addresses: " + list);
        }
        cell.await("all 5 replicas converged after " + f + " was added back", cell::converged, 60_000);
        return addMs;
    }

    private static void deleteTree(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
