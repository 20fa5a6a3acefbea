package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import io.chubby.testkit.CapturingConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the master answers a group call, the proxy holds the next call there before it answers its
 * clients (commit 594f446): until that call arrives nothing holds the members at the master, and a
 * member answered early because it owes an acknowledgement has a lease the answer did not extend, so
 * the next call must not wait behind the work of answering every client.
 */
class GroupKeeperOrderTest {
    private static final long LEASE = 12_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CapturingMasterChannel channel = new CapturingMasterChannel(LEASE);
    private final SessionTable<ClientConnection> table = new SessionTable<>(LeaseMath.withMargin(2_000));
    /** Each batch of client answers, with the number of group calls sent when it was handed over. */
    private final List<List<SessionTable.Answer<ClientConnection>>> clientAnswers = new ArrayList<>();
    private final List<Integer> callsBeforeClientAnswers = new ArrayList<>();
    private final GroupKeeper keeper = new GroupKeeper(channel, table, Clock.systemUTC(), timer, this::answered,
            Duration.ofSeconds(10), Duration.ofMillis(LEASE), 101, new Principals(false));

    private synchronized void answered(List<SessionTable.Answer<ClientConnection>> answers) {
        clientAnswers.add(answers);
        callsBeforeClientAnswers.add(channel.callCount());
        notifyAll();
    }

    @AfterEach
    void stop() {
        keeper.close();
        timer.shutdownNow();
    }

    @Test
    void theNextGroupCallGoesToTheMasterBeforeTheClientsAreAnswered() throws Exception {
        CapturingConnection client = new CapturingConnection();
        long now = System.currentTimeMillis();
        table.created(7, client, LEASE, now, now, now);
        assertTrue(table.keepAlive(client, 7, 41, KeepAliveRequest.getDefaultInstance(), now).isEmpty(),
                "the client's KeepAlive is held at the proxy");
        keeper.poke();
        channel.awaitCalls(1);

        // The master answers early: an invalidation for the client, its lease not extended.
        Invalidation inv = Invalidation.newBuilder().setId(5).setPath("/ls/cell/f").build();
        channel.answer(0, KeepAliveReply.newBuilder().setLeaseMs(LEASE / 2).addInvalidations(inv).build());

        synchronized (this) {
            // the keeper may register its completion after the answer arrived (the call is counted
            // before the channel hands its future back): it then handles it on its own thread
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (clientAnswers.isEmpty() && System.nanoTime() < end) {
                wait(20);
            }
            assertEquals(1, clientAnswers.size(), "the clients were answered once");
            List<SessionTable.Answer<ClientConnection>> answers = clientAnswers.get(0);
            assertEquals(1, answers.size());
            assertEquals(41, answers.get(0).callId());
            assertEquals(List.of(inv), answers.get(0).reply().getInvalidationsList());
            assertEquals(List.of(2), callsBeforeClientAnswers,
                    "the next group call was sent before the clients' answers were handed over");
        }
        assertEquals(2, channel.callCount());
        assertEquals(List.of(7L), channel.calls.get(1).getMembersList().stream().map(m -> m.getSessionId()).toList());
    }
}
