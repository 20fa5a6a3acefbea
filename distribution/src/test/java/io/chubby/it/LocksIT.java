package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.LockInfo;
import io.chubby.client.Sequencer;
import io.chubby.client.SequencerCheck;
import io.chubby.client.SequencerVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Locks against a three-replica cell of real processes: mutual exclusion under contention from
 * several client sessions, with a protected resource that accepts a write only with a sequencer
 * the {@link SequencerVerifier} accepts; lock-delay honoured after kill -9 of a holder PROCESS
 * (a child JVM running {@code chubby lock ... -- sleep}), and not applied after a normal release;
 * {@code chubby lock} exit codes, {@code --try}, CHUBBY_SEQUENCER and {@code chubby sequencer check};
 * a holder process SIGSTOPped past its lease is fenced out (its sequencer refused, and it exits
 * SESSION_EXPIRED when continued); held locks and a waiting Acquire survive kill -9 of the master
 * with the same generation (last, as it restarts a replica).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class LocksIT {
    private static final long LEASE_MS = 12_000;
    LocalCell cell;
    private ChubbyClient observer;

    /** How many replicas the cell has (a binding through proxies takes five). */
    int replicas() {
        return 3;
    }

    /** Called once the cell is up, before any client connects (a binding starts its proxies here). */
    protected void cellUp() {
    }

    /** Called before the cell goes down. */
    protected void beforeCellDown() {
    }

    /** Where clients connect: the cell's replicas, or what a binding puts in front of them. */
    protected String clientCellSpec() {
        return cell.cellSpec();
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startCell() throws InterruptedException {
        cell = new LocalCell(replicas());
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        cellUp();
        observer = client("observer");
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (observer != null) {
            observer.close();
        }
        beforeCellDown();
        if (cell != null) {
            try {
                cell.down();
            } finally {
                cell.destroy();
            }
        }
    }

    private ChubbyClient client(String name) {
        ClientOptions o = ClientOptions.builder().cell(clientCellSpec()).clientName(name)
                .callTimeout(Duration.ofSeconds(30)).build();
        return ChubbyClient.connect(o);
    }

    @Test
    @Order(1)
    void mutualExclusionUnderContentionWithFencedResource() throws Exception {
        int sessions = 4;
        int rounds = 5;
        String path = "/ls/local/contended";
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicLong lastAccepted = new AtomicLong(-1);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Long> generations = java.util.Collections.synchronizedList(new ArrayList<>());
        SequencerVerifier resource = new SequencerVerifier(observer);
        CountDownLatch done = new CountDownLatch(sessions);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try (ChubbyClient c = client("contender-" + id);
                     Handle h = c.open(path, OpenOptions.write().withCreate(CreateMode.MAY).withLockDelayMillis(0))) {
                    for (int r = 0; r < rounds; r++) {
                        if (!h.acquire(LockMode.EXCLUSIVE, Duration.ofSeconds(60))) {
                            problems.add("contender " + id + " timed out");
                            return;
                        }
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        Sequencer s = h.getSequencer();
                        SequencerCheck check = resource.verify(s.bytes());
                        if (!check.valid()) {
                            problems.add("holder's own sequencer refused: " + check.reason());
                        } else if (s.generation() <= lastAccepted.getAndSet(s.generation())) {
                            problems.add("generation did not grow: " + s.generation());
                        }
                        generations.add(s.generation());
                        Thread.sleep(20);
                        inside.decrementAndGet();
                        h.release();
                        // After release the same sequencer must be refused by the protected resource.
                        SequencerCheck stale = resource.verify(s.bytes());
                        if (stale.valid()) {
                            problems.add("released sequencer still accepted: " + s);
                        }
                    }
                } catch (Exception e) {
                    problems.add("contender " + id + ": " + e);
                } finally {
                    done.countDown();
                }
            }, "contender-" + i);
            threads.add(t);
            t.start();
        }
        assertTrue(done.await(180, TimeUnit.SECONDS), "contenders did not finish");
        assertTrue(problems.isEmpty(), () -> problems + cell.logs());
        assertEquals(1, maxInside.get(), "never two holders at once");
        assertEquals(sessions * rounds, generations.size());
        assertEquals(sessions * rounds, generations.stream().distinct().count(), "one generation per grant");
    }

    @Test
    @Order(2)
    void lockDelayHonouredAfterKillOfHolderProcessButNotAfterRelease() throws Exception {
        String path = "/ls/local/killed-holder";
        long delayMs = 4_000;
        // The holder: a child JVM running the CLI, holding the lock while its command sleeps.
        Process holder = startCli("lock", path, "--lock-delay", Long.toString(delayMs / 1000), "--", "sleep", "600");
        try (Handle h = observer.open(path, OpenOptions.write().withCreate(CreateMode.MAY))) {
            LockInfo held = awaitInfo(h, LockInfo::held, 60_000, "the child process to hold the lock");
            assertEquals("chubby-cli", held.holders().get(0).clientName());
            List<ProcessHandle> family = new ArrayList<>(holder.descendants().toList());
            holder.destroyForcibly(); // SIGKILL: no release, no CloseSession
            long killedAt = System.currentTimeMillis();
            family.forEach(ProcessHandle::destroyForcibly);
            assertFalse(h.tryAcquire(LockMode.EXCLUSIVE), "the dead holder's session still holds it");

            LockInfo delayed = awaitInfo(h, i -> !i.held() && i.lockDelayRemainingMillis() > 0,
                    LEASE_MS + 20_000, "the lease to expire into a lock-delay");
            long expiredAt = System.currentTimeMillis();
            assertTrue(delayed.lockDelayRemainingMillis() <= delayMs);
            assertFalse(h.tryAcquire(LockMode.EXCLUSIVE), "nobody may take the lock during the lock-delay");
            long acquiredAt = 0;
            long end = System.currentTimeMillis() + delayMs + 20_000;
            while (System.currentTimeMillis() < end) {
                if (h.tryAcquire(LockMode.EXCLUSIVE)) {
                    acquiredAt = System.currentTimeMillis();
                    break;
                }
                Thread.sleep(100);
            }
            assertNotEquals(0, acquiredAt, "the lock never became free after the lock-delay");
            assertTrue(acquiredAt - expiredAt >= delayed.lockDelayRemainingMillis() - 500,
                    "acquired " + (acquiredAt - expiredAt) + " ms after expiry, delay left was "
                            + delayed.lockDelayRemainingMillis());
            assertTrue(acquiredAt - killedAt >= delayMs, "acquired only " + (acquiredAt - killedAt)
                    + " ms after the kill");
            h.release();
        } finally {
            holder.destroyForcibly();
        }

        // A normal release (the command exits) frees the lock at once, whatever the lock-delay.
        LocalCell.Run quick = cell.chubby(null, "lock", path, "--lock-delay", "30", "--", "true");
        assertEquals(0, quick.exit(), quick::toString);
        try (Handle h = observer.open(path, OpenOptions.write())) {
            assertTrue(h.tryAcquire(LockMode.EXCLUSIVE), "no lock-delay after a normal release");
            h.release();
        }
    }

    @Test
    @Order(3)
    void lockCommandPassesExitCodeAndSequencer() throws Exception {
        String path = "/ls/local/cli-lock";
        LocalCell.Run seven = cell.chubby(null, "lock", path, "--", "sh", "-c", "exit 7");
        assertEquals(7, seven.exit(), seven::toString);

        String chubby = ExamOptions.dist().resolve("bin").resolve("chubby").toString();
        LocalCell.Run checked = cell.chubby(null, "lock", path, "--shared", "--", "sh", "-c",
                "test -n \"$CHUBBY_SEQUENCER\" && " + chubby + " sequencer check \"$CHUBBY_SEQUENCER\" && echo \"$CHUBBY_SEQUENCER\"");
        assertEquals(0, checked.exit(), checked::toString);
        String seq = checked.out().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElseThrow().strip();
        LocalCell.Run stale = cell.chubby(null, "sequencer", "check", seq);
        assertNotEquals(0, stale.exit(), "released: the sequencer is no longer valid: " + stale);
        assertTrue(stale.err().contains("not held"), stale::toString);
        LocalCell.Run forged = cell.chubby(null, "sequencer", "check", "UwEBAAAAAA==");
        assertNotEquals(0, forged.exit(), forged::toString);

        try (Handle h = observer.open(path, OpenOptions.write())) {
            assertTrue(h.tryAcquire(LockMode.EXCLUSIVE));
            LocalCell.Run busy = cell.chubby(null, "lock", path, "--try", "--", "true");
            assertNotEquals(0, busy.exit(), busy::toString);
            LocalCell.Run locks = cell.chubby(null, "locks", path);
            assertEquals(0, locks.exit(), locks::toString);
            assertTrue(locks.out().contains("observer"), locks::toString);
            h.release();
        }
    }

    @Test
    @Order(4)
    void holderStoppedPastItsLeaseIsFencedOut() throws Exception {
        String path = "/ls/local/stopped-holder";
        Path seqFile = cell.dir().resolve("stopped-holder.seq");
        Process holder = startCli("lock", path, "--lock-delay", "1", "--", "sh", "-c",
                "echo \"$CHUBBY_SEQUENCER\" > " + seqFile + " && exec sleep 600");
        List<ProcessHandle> family = new ArrayList<>();
        try {
            long end = System.currentTimeMillis() + 60_000;
            while (!(Files.isRegularFile(seqFile) && !Files.readString(seqFile).isBlank())) {
                assertTrue(System.currentTimeMillis() < end && holder.isAlive(), "the holder never ran its command");
                Thread.sleep(100);
            }
            byte[] old = Sequencer.parse(Files.readString(seqFile)).bytes();
            SequencerVerifier resource = new SequencerVerifier(observer);
            assertTrue(resource.verify(old).valid(), "the holder's sequencer is accepted while it holds the lock");
            family.addAll(holder.descendants().toList());
            signal("STOP", holder.pid()); // paused: no KeepAlives, but it still "believes" it holds the lock

            try (Handle h = observer.open(path, OpenOptions.write())) {
                assertTrue(h.acquire(LockMode.EXCLUSIVE, Duration.ofSeconds(LEASE_MS / 1000 + 40)),
                        "the lock never passed from the stopped holder");
                Sequencer fresh = h.getSequencer();
                SequencerCheck atCell = resource.verify(old);
                assertFalse(atCell.valid(), "the paused holder's write must be refused (by the cell)");
                assertTrue(atCell.reason().contains("generation is " + fresh.generation()), atCell.reason());
                assertTrue(resource.verify(fresh.bytes()).valid(), "the new holder's write is accepted");
                SequencerCheck local = resource.verify(old);
                assertFalse(local.valid());
                assertTrue(local.reason().startsWith("stale"), "now refused locally by generation: " + local.reason());

                signal("CONT", holder.pid());
                assertTrue(holder.waitFor(60, TimeUnit.SECONDS), "the continued holder did not notice its loss");
                assertEquals(17, holder.exitValue(), "SESSION_EXPIRED: the lock was lost while the command ran");
                assertTrue(family.stream().noneMatch(ProcessHandle::isAlive), "its command was stopped");
                h.release();
            }
        } finally {
            signal("CONT", holder.pid());
            holder.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    @Order(5)
    void heldLocksAndWaitsSurviveMasterFailover() throws Exception {
        String path = "/ls/local/failover-lock";
        try (ChubbyClient a = client("holder"); ChubbyClient b = client("waiter");
             Handle ha = a.open(path, OpenOptions.write().withCreate(CreateMode.MAY));
             Handle hb = b.open(path, OpenOptions.write())) {
            ha.acquire(LockMode.EXCLUSIVE);
            Sequencer before = ha.getSequencer();
            var waiting = hb.acquireAsync(LockMode.EXCLUSIVE, Duration.ofSeconds(150));
            awaitInfo(ha, i -> i.waiters().size() == 1, 30_000, "the waiter to queue");

            var master = cell.master().orElseThrow();
            long oldEpoch = Long.parseLong(master.get("epoch"));
            ProcessHandle victim = ProcessHandle.of(Long.parseLong(master.get("pid"))).orElseThrow();
            victim.destroyForcibly();
            victim.onExit().get(30, TimeUnit.SECONDS);
            long end = System.currentTimeMillis() + 60_000;
            while (cell.master().filter(m -> Long.parseLong(m.get("epoch")) > oldEpoch).isEmpty()) {
                assertTrue(System.currentTimeMillis() < end, "no new master" + cell.logs());
                Thread.sleep(500);
            }

            LockInfo after = awaitInfo(ha, i -> i.held() && i.waiters().size() == 1, 60_000,
                    "the new master to show the same holder and waiter");
            assertEquals(before.generation(), after.lockGeneration(), "same generation after failover");
            assertEquals(a.sessionId(), after.holders().get(0).sessionId());
            assertTrue(a.checkSequencer(before.bytes()).valid(), "the holder's sequencer is still valid");
            assertFalse(waiting.isDone(), "the waiter still waits");

            ha.release();
            assertTrue(waiting.get(60, TimeUnit.SECONDS), "the re-sent Acquire is granted on release");
            assertEquals(before.generation() + 1, hb.getSequencer().generation());
            hb.release();
        } finally {
            LocalCell.Run restart = cell.up();
            assertEquals(0, restart.exit(), restart::toString);
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
    }

    private Process startCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ExamOptions.dist().resolve("bin").resolve("chubby").toString());
        cmd.addAll(List.of(args));
        Path log = cell.dir().resolve("cli-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cell.dir().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CHUBBY_CELL", clientCellSpec());
        return pb.start();
    }

    private static LockInfo awaitInfo(Handle h, java.util.function.Predicate<LockInfo> p, long deadlineMs,
                                      String what) throws InterruptedException {
        long end = System.currentTimeMillis() + deadlineMs;
        LockInfo last = null;
        while (System.currentTimeMillis() < end) {
            last = h.lockInfo();
            if (p.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "; last lock info " + last);
        return null;
    }
}
