package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.Sequencer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19: {@code chubby cell restart --rolling} on a three-replica cell of real processes while
 * a client writes sequentially, holds a lock and keeps its session alive. Every replica is
 * restarted once, the master last (it hands over on SIGTERM). Required: the command succeeds and
 * says each replica caught up; 0 failed writes, the file holds the last acknowledged write; the
 * one session never expired; the lock is still held (its sequencer checks valid at the end).
 * Printed: the restart's own lines and the longest write pause.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RollingRestartIT {
    private static final String FILE = "/ls/local/rolling";
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void everyReplicaRestartsOneByOneUnderLoadAndNothingIsLost() throws Exception {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        cell.await("a master", () -> cell.master().orElse(null), 60_000);
        AtomicBoolean stop = new AtomicBoolean();
        try (ChubbyClient client = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec())
                .callTimeout(Duration.ofSeconds(30)).clientName("rolling-restart").build())) {
            List<SessionState> states = new CopyOnWriteArrayList<>();
            client.addSessionListener(states::add);
            long session = client.sessionId();
            Handle lock = client.open("/ls/local/rolling-lock", OpenOptions.write().withCreate(CreateMode.MAY));
            lock.acquire(LockMode.EXCLUSIVE);
            Sequencer held = lock.getSequencer();

            AtomicLong acked = new AtomicLong();
            AtomicLong lastAck = new AtomicLong(System.nanoTime());
            AtomicLong longestGap = new AtomicLong();
            List<String> failures = new CopyOnWriteArrayList<>();
            Thread writer = new Thread(() -> {
                for (long k = 1; !stop.get(); k++) {
                    try {
                        client.write(FILE, Long.toString(k).getBytes(StandardCharsets.UTF_8));
                        acked.set(k);
                        long now = System.nanoTime();
                        longestGap.accumulateAndGet(now - lastAck.getAndSet(now), Math::max);
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            }, "rolling-restart-writer");
            writer.setDaemon(true);
            writer.start();
            cell.await("50 writes", () -> acked.get() >= 50 ? acked.get() : null, 60_000);
            longestGap.set(0);

            LocalCell.Run restart = cell.chubby(null, "cell", "restart", "--rolling", "--dir", cell.dir().toString());
            long writesAfter = acked.get();
            cell.await("50 writes after the restart", () -> acked.get() >= writesAfter + 50 ? acked.get() : null,
                    60_000);
            stop.set(true);
            writer.join(30_000);
            System.out.println("rolling restart under load:\n" + restart.out() + "longest write pause "
                    + longestGap.get() / 1_000_000 + " ms; " + acked.get() + " writes acknowledged, " + failures.size()
                    + " failed " + failures.stream().limit(3).toList());

            assertEquals(0, restart.exit(), () -> restart + cell.logs());
            for (int id = 1; id <= 3; id++) {
                String caughtUp = "replica " + id + ": caught up at index ";
                assertTrue(restart.out().contains(caughtUp), () -> "no '" + caughtUp + "' in " + restart);
            }
            assertTrue(restart.out().contains("cell restart: 3 replicas restarted one by one"), restart::toString);
            assertEquals(List.of(), failures, "writes failed during the rolling restart");
            assertEquals(Long.toString(acked.get()), new String(client.read(FILE), StandardCharsets.UTF_8),
                    "the last acknowledged write is what the file holds");
            assertEquals(session, client.sessionId(), "one session throughout");
            assertFalse(states.contains(SessionState.EXPIRED), "the session expired: " + states);
            assertTrue(client.checkSequencer(held.bytes()).valid(), "the lock is still held by its first holder");
        } finally {
            stop.set(true);
        }
    }
}
