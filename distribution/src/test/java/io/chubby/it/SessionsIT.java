package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.Create;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions against a real three-replica cell (issue 5): ephemeral cleanup when a session's lease
 * runs out; a client cut off from a paused (SIGSTOP) master goes to JEOPARDY and back to SAFE;
 * kill -9 of the master keeps the session (no EXPIRED), delivers MASTER_FAILED_OVER and flushes
 * the cache (no stale read afterwards).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SessionsIT {
    LocalCell cell;
    private ChubbyClient client;
    private final List<SessionState> states = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private Long stopped;

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

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() throws Exception {
        if (stopped != null) {
            signal("CONT", stopped);
        }
        if (client != null) {
            client.close();
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

    @Test
    void sessionsSurvivePausesAndFailoversAndExpiredOnesLoseTheirEphemerals() throws Exception {
        cell = new LocalCell(replicas());
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        cellUp();
        Map<String, String> master = await("a master", () -> cell.master().orElse(null), 30_000);
        client = ChubbyClient.connect(ClientOptions.builder().cell(clientCellSpec()).clientName("sessions-it").build());
        client.addSessionListener(states::add);
        client.addEventListener(events::add);

        // 1. A session whose lease runs out (no KeepAlives) is ended; its ephemeral node goes.
        // A raw session that never sends a KeepAlive (WireClient.withSession would keep it alive).
        try (WireClient w = new WireClient(master.get("address"))) {
            Response created = w.call(Request.newBuilder().setCreateSession(
                    io.chubby.protocol.CreateSessionRequest.newBuilder().setClientName("silent")));
            assertFalse(created.hasError(), created::toString);
            w.sessionId = created.getCreateSession().getSessionId();
            w.epoch = created.getCreateSession().getEpoch();
            Response r = w.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local/eph")
                    .setModeBits(3).setCreate(Create.CREATE_MUST).setEphemeral(true)));
            assertFalse(r.hasError(), r::toString);
            assertTrue(client.exists("/ls/local/eph"));
            try {
                // 12 s lease; up to 60 s more if mastership moved meanwhile (a new master extends
                // every session it did not hear from to the longest lease an old master could grant).
                awaitTrue("the ephemeral node to go with its expired session", () -> !client.exists("/ls/local/eph"),
                        90_000);
            } catch (AssertionError e) {
                String probe;
                try {
                    probe = "exists=" + client.exists("/ls/local/eph");
                } catch (RuntimeException x) {
                    probe = "exists threw " + x;
                }
                throw new AssertionError(e.getMessage() + "\nwire session " + w.sessionId + " client session "
                        + client.sessionId() + " " + probe + " status " + ChubbyClient.status(master.get("address"),
                        java.time.Duration.ofSeconds(5)) + "\n" + serverLog(), e);
            }
        }

        // 2. Master paused past the client's lease: JEOPARDY, then SAFE (new master or resumed one).
        client.write("/ls/local/f", "v1".getBytes());
        assertArrayEquals("v1".getBytes(), client.read("/ls/local/f"));
        states.clear();
        stopped = Long.parseLong(master.get("pid"));
        signal("STOP", stopped);
        awaitTrue("JEOPARDY while the master is paused", () -> states.contains(SessionState.JEOPARDY), 40_000);
        awaitTrue("SAFE again", () -> states.indexOf(SessionState.SAFE) > states.indexOf(SessionState.JEOPARDY),
                60_000);
        signal("CONT", stopped);
        stopped = null;
        assertFalse(states.contains(SessionState.EXPIRED), states::toString);
        assertArrayEquals("v1".getBytes(), client.read("/ls/local/f"));

        // 3. kill -9 of the master: same session, failover event, no stale cached read afterwards.
        long session = client.sessionId();
        client.read("/ls/local/f"); // cached
        events.clear();
        states.clear();
        Map<String, String> now = await("a master", () -> cell.master().orElse(null), 30_000);
        long epoch = Long.parseLong(now.get("epoch"));
        ProcessHandle victim = ProcessHandle.of(Long.parseLong(now.get("pid"))).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get(30, TimeUnit.SECONDS);
        awaitTrue("MASTER_FAILED_OVER", () -> events.stream().anyMatch(e -> e.type() == EventType.MASTER_FAILED_OVER),
                60_000);
        assertEquals(session, client.sessionId());
        assertFalse(states.contains(SessionState.EXPIRED), states::toString);
        await("a new master", () -> cell.master().filter(m -> Long.parseLong(m.get("epoch")) > epoch).orElse(null),
                30_000);
        try (ChubbyClient other = ChubbyClient.connect(ClientOptions.forCell(clientCellSpec()))) {
            other.write("/ls/local/f", "v2".getBytes());
        }
        assertArrayEquals("v2".getBytes(), client.read("/ls/local/f"), "no stale read after the write returned");
        assertEquals(SessionState.SAFE, client.sessionState());
    }

    /** Session and mastership lines of every replica log, for failure messages. */
    private String serverLog() {
        StringBuilder b = new StringBuilder();
        for (int k = 1; k <= 3; k++) {
            int i = k;
            java.nio.file.Path f = cell.dir().resolve("replica-" + i).resolve("log").resolve("replica.log");
            try {
                Files.readAllLines(f).stream().filter(l -> !l.contains("DEBUG"))
                        .filter(l -> l.contains("session") || l.contains("master") || l.contains("ERROR")
                                || l.contains("WARN"))
                        .forEach(l -> b.append(i).append(": ").append(l, 0, Math.min(300, l.length())).append('\n'));
            } catch (IOException e) {
                b.append("(no log ").append(f).append(")\n");
            }
        }
        return b.toString();
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    private static void awaitTrue(String what, BooleanSupplier c, long deadlineMs) throws InterruptedException {
        await(what, () -> c.getAsBoolean() ? Boolean.TRUE : null, deadlineMs);
    }

    private static <T> T await(String what, Supplier<T> probe, long deadlineMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        while (true) {
            T v;
            try {
                v = probe.get();
            } catch (RuntimeException e) {
                v = null;
            }
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadlineMs + " ms waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
