package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import io.chubby.testkit.Await;
import io.chubby.testkit.CapturingConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A keeper of one partition's sessions in a partitioned cell ({@link PartitionKeepers}): its group
 * calls name the partition, and a failed call makes it look for that partition's master again,
 * not every partition's. A keeper of a cell of one partition names none (the bytes as before).
 */
class GroupKeeperPartitionTest {
    private static final long LEASE = 10_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CapturingMasterChannel channel = new CapturingMasterChannel(LEASE);
    private final SessionTable<ClientConnection> table = new SessionTable<>(LeaseMath.withMargin(50));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private GroupKeeper keeper(int partition) {
        GroupKeeper k = new GroupKeeper(channel, table, Clock.systemUTC(), timer, a -> { }, Duration.ofSeconds(5),
                Duration.ofMillis(LEASE), 101, new Principals(false), partition);
        long now = System.currentTimeMillis();
        CapturingConnection client = new CapturingConnection();
        table.created(7, client, LEASE, now, now, now);
        table.keepAlive(client, 7, 1, KeepAliveRequest.getDefaultInstance(), now);
        k.poke();
        return k;
    }

    @Test
    void aPartitionsKeeperNamesItAndRelocatesItAlone() throws Exception {
        GroupKeeper k = keeper(2);
        try {
            channel.awaitCalls(1);
            assertEquals(List.of(2), channel.partitions, "the group call names partition 2");
            channel.answers.get(0).completeExceptionally(new ChubbyException(ErrorCode.CELL_UNAVAILABLE,
                    "partition 2 has no master"));
            Await.until("the keeper looked for partition 2's master again", () -> !channel.relocated.isEmpty());
            assertEquals(List.of(2), channel.relocated);
            channel.awaitCalls(2); // sent again after its backoff
            assertEquals(List.of(2, 2), List.copyOf(channel.partitions.subList(0, 2)));
        } finally {
            k.close();
        }
    }

    @Test
    void aKeeperOfACellOfOnePartitionNamesNone() throws Exception {
        GroupKeeper k = keeper(0);
        try {
            channel.awaitCalls(1);
            assertEquals(List.of(0), channel.partitions);
        } finally {
            k.close();
        }
    }
}
