package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19: {@code chubby member add|remove|replace} on a cell of real processes while one client
 * writes in a loop. A three-replica cell ({@code cell up}) grows to five (replicas 4 and 5 started
 * joining, then added); replica 4 loses its disk (kill -9, data wiped), is removed, started joining
 * under its id and added back; replica 5 moves to another address (removed, stopped, started on the
 * second port range with an empty disk, added with its new addresses); the cell shrinks to three by
 * removing the master (it hands over) and then another replica; last, {@code member replace} swaps
 * a dead replica (kill -9) of the three for a new one (6). After every step: {@code member list} names the expected members
 * with their addresses, every member answers at one applied index and state checksum, the last
 * acknowledged value of every file the writer wrote is read back from the master, and no write
 * failed. Printed: one line per step with its longest write pause (the longest time between two
 * acknowledged writes while the step ran).
 *
 * <p>The writer's client is given the client addresses every replica of the test ever has (as a
 * DNS name listing the cell would): a client only knows the addresses it was given and follows the
 * master from there.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MembershipIT {
    private static final int SLOTS = 64;
    private static final long DEADLINE_MS = 60_000;
    private static final Pattern MEMBER_LINE = Pattern.compile("^\\s+(\\d+) peer (\\S+) client (\\S+)\\s*$");

    private LocalCell cell;
    private ChubbyClient client;
    /** Held by the writer around each write; a step's check holds it to pause the writes. */
    private final ReentrantLock writes = new ReentrantLock();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong lastAck = new AtomicLong();
    private final AtomicLong longestGap = new AtomicLong();
    private final long[] lastAckedPerSlot = new long[SLOTS];
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> summary = new ArrayList<>();

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        stop.set(true);
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (cell != null) {
                cell.stop();
            }
        }
    }

    @Test
    void growShrinkReplaceAndMoveUnderWrites() throws Exception {
        cell = new LocalCell(3, 6);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS);
        List<String> everyAddress = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            everyAddress.add(cell.clientAddress(id));
        }
        everyAddress.add(cell.movedClientAddress(5));
        client = ChubbyClient.connect(ClientOptions.builder().replicas(everyAddress)
                .callTimeout(Duration.ofSeconds(30)).clientName("membership-it").build());
        client.ensureDirectory("/ls/local/members");
        Thread writer = new Thread(this::writeInALoop, "membership-writer");
        writer.setDaemon(true);
        writer.start();
        cell.await("50 writes", () -> acked.get() >= 50 ? acked.get() : null, DEADLINE_MS);
        check("start", List.of(1, 2, 3));

        step("grow 3 -> 4 (add 4)", () -> join(4));
        step("grow 4 -> 5 (add 5)", () -> join(5));
        step("replace 4, data wiped (kill -9, remove 4, start joining, add 4)", () -> {
            cell.stopReplica(4, true);
            cell.wipeData(4);
            remove(4);
            join(4);
        });
        step("move 5 to the second port range (remove 5, stop, start joining there, add 5)", () -> {
            remove(5);
            cell.stopReplica(5, false);
            cell.wipeData(5);
            cell.move(5);
            join(5);
        });
        int master = masterId();
        step("shrink 5 -> 4 (remove the master, " + master + ")", () -> {
            remove(master);
            cell.stopReplica(master, false);
            int now = masterId();
            assertNotEquals(master, now, "the removed master handed over");
        });
        int master2 = masterId();
        int other = cell.members().stream().filter(id -> id != master2).findFirst().orElseThrow();
        step("shrink 4 -> 3 (remove " + other + ")", () -> {
            remove(other);
            cell.stopReplica(other, false);
        });
        int master3 = masterId();
        int old = cell.members().stream().filter(id -> id != master3).findFirst().orElseThrow();
        step("member replace " + old + " 6 (" + old + " dead: kill -9; a cell of three)", () -> {
            cell.stopReplica(old, true);
            cell.startJoining(6);
            LocalCell.Run r = cell.chubby(null, "member", "replace", Integer.toString(old), "6", cell.peerAddress(6),
                    cell.clientAddress(6));
            assertEquals(0, r.exit(), () -> r + cell.logs());
            assertTrue(r.out().contains("replica 6 added"), r::toString);
            assertTrue(r.out().contains("replica " + old + " removed"), r::toString);
            cell.added(6);
            cell.removed(old);
        });

        stop.set(true);
        writer.join(30_000);
        System.out.println("MembershipIT: " + acked.get() + " writes acknowledged, " + failures.size() + " failed\n"
                + String.join("\n", summary));
        assertEquals(List.of(), failures, "failed writes");
    }

    /** Each write puts k into slot k % SLOTS; records the acknowledged value and the gap since the last ack. */
    private void writeInALoop() {
        for (long k = 1; !stop.get(); k++) {
            writes.lock();
            try {
                int slot = (int) (k % SLOTS);
                client.write(slotPath(slot), Long.toString(k).getBytes(StandardCharsets.UTF_8));
                lastAckedPerSlot[slot] = k;
                acked.set(k);
                long now = System.nanoTime();
                longestGap.accumulateAndGet(now - lastAck.getAndSet(now), Math::max);
            } catch (RuntimeException e) {
                failures.add(k + ": " + e);
            } finally {
                writes.unlock();
            }
        }
    }

    private static String slotPath(int slot) {
        return "/ls/local/members/w" + slot;
    }

    /** A step that changes the members. */
    private interface Change {
        void run() throws Exception;
    }

    /** Runs {@code change} under the writes, waits for 20 more writes, then {@link #check}s; records the longest pause. */
    private void step(String name, Change change) throws Exception {
        writes.lock();
        try {
            longestGap.set(0);
            lastAck.set(System.nanoTime());
        } finally {
            writes.unlock();
        }
        long start = System.nanoTime();
        change.run();
        long after = acked.get();
        cell.await("20 writes after '" + name + "'", () -> acked.get() >= after + 20 ? Boolean.TRUE : null,
                DEADLINE_MS);
        long pauseMs = longestGap.get() / 1_000_000;
        long stepMs = (System.nanoTime() - start) / 1_000_000;
        check(name, cell.members());
        String line = String.format("  %-80s longest write pause %5d ms (step %d ms)", name, pauseMs, stepMs);
        summary.add(line);
        System.out.println("MembershipIT step:" + line);
    }

    /**
     * With the writer paused: {@code member list} names {@code expected} at their addresses, every member
     * answers at one applied index and checksum, every slot holds its last acknowledged value, no write failed.
     */
    private void check(String after, List<Integer> expected) throws Exception {
        writes.lock();
        try {
            assertEquals(List.of(), failures, "failed writes by '" + after + "'");
            Map<Integer, String> listed = memberList();
            Map<Integer, String> want = new TreeMap<>();
            for (int id : expected) {
                want.put(id, cell.peerAddress(id) + " " + cell.clientAddress(id));
            }
            assertEquals(want, listed, "member list after '" + after + "'");
            cell.await("every member at one applied index and checksum after '" + after + "'", cell::converged,
                    DEADLINE_MS);
            for (int slot = 0; slot < SLOTS; slot++) {
                long want0 = lastAckedPerSlot[slot];
                if (want0 != 0) {
                    assertEquals(Long.toString(want0), new String(client.read(slotPath(slot), CacheMode.UNCACHED),
                            StandardCharsets.UTF_8), "slot " + slot + " after '" + after + "'");
                }
            }
        } finally {
            writes.unlock();
        }
    }

    /** {@code chubby member list}: member id -> "PEER CLIENT". */
    private Map<Integer, String> memberList() {
        LocalCell.Run r = cell.chubby(null, "member", "list");
        assertEquals(0, r.exit(), r::toString);
        Map<Integer, String> out = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            Matcher m = MEMBER_LINE.matcher(line);
            if (m.matches()) {
                out.put(Integer.parseInt(m.group(1)), m.group(2) + " " + m.group(3));
            }
        }
        return out;
    }

    /** Starts {@code id} joining and runs {@code chubby member add} for it. */
    private void join(int id) {
        cell.startJoining(id);
        LocalCell.Run r = cell.chubby(null, "member", "add", Integer.toString(id), cell.peerAddress(id),
                cell.clientAddress(id));
        assertEquals(0, r.exit(), () -> r + cell.logs());
        assertTrue(r.out().contains("replica " + id + " added"), r::toString);
        cell.added(id);
    }

    /** {@code chubby member remove ID}. */
    private void remove(int id) {
        LocalCell.Run r = cell.chubby(null, "member", "remove", Integer.toString(id));
        assertEquals(0, r.exit(), () -> r + cell.logs());
        assertTrue(r.out().contains("replica " + id + " removed"), r::toString);
        cell.removed(id);
    }

    private int masterId() throws InterruptedException {
        return Integer.parseInt(cell.await("a master", () -> cell.master().orElse(null), DEADLINE_MS).get("replica"));
    }
}
