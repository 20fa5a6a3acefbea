package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.protocol.KeepAliveRequest;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import io.chubby.testkit.Await;
import io.chubby.testkit.CapturingConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy gives up on a master that answers none of its group calls within the call timeout plus
 * a lease, counted from the last answer, so that calls superseding the held one (the group changed:
 * clients came and went) do not restart the count. Before, each new call's own timeout did, and a
 * proxy whose clients reconnected every KeepAlive timeout never left a paused master
 * (SessionsThroughProxiesIT). Here the channel never answers on its own: only the watchdog can
 * give up.
 */
class GroupKeeperWatchTest {
    private static final long LEASE = 300;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CapturingMasterChannel channel = new CapturingMasterChannel(LEASE);
    private final SessionTable<ClientConnection> table = new SessionTable<>(LeaseMath.withMargin(50));
    private final GroupKeeper keeper = new GroupKeeper(channel, table, Clock.systemUTC(), timer, a -> { },
            Duration.ofMillis(200), Duration.ofMillis(LEASE), 101, new Principals(false));

    @AfterEach
    void stop() {
        keeper.close();
        timer.shutdownNow();
    }

    private void join(long session) {
        long now = System.currentTimeMillis();
        CapturingConnection client = new CapturingConnection();
        table.created(session, client, 60_000, now, now, now);
        table.keepAlive(client, session, session, KeepAliveRequest.getDefaultInstance(), now);
        keeper.poke();
    }

    @Test
    void aMasterThatAnswersNothingIsLeftEvenWhileNewCallsSupersedeTheHeldOne() throws Exception {
        join(1);
        channel.awaitCalls(1);
        // a client joins every 100 ms, each time superseding the held call (whose own 500 ms timeout
        // then never runs out), until the keeper gives up: it must within a few watch periods
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread joins = new Thread(() -> {
            for (long s = 2; !stop.get(); s++) {
                join(s);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        joins.start();
        try {
            Await.until("the keeper gave up on the master while calls kept superseding each other",
                    Duration.ofSeconds(3), () -> channel.relocations.get() > 0);
        } finally {
            stop.set(true);
            joins.join();
        }
    }

    @Test
    void aMasterThatAnswersIsNeverLeft() throws Exception {
        join(1);
        long end = System.nanoTime() + 1_500_000_000L; // three watch periods
        int answered = 0;
        while (System.nanoTime() < end) {
            if (channel.callCount() > answered) {
                channel.answer(answered++);
            }
            Thread.sleep(20);
        }
        assertEquals(0, channel.relocations.get(), "left a master that answered every call");
    }
}
