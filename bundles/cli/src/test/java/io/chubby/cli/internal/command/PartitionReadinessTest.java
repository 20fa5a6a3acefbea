package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.CliContext;
import io.chubby.client.ReplicaStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What cell up --partitions N waits for after the master is known, on scripted Status answers. */
class PartitionReadinessTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final CliContext.Waiter noWait = new CliContext.Waiter() {
        @Override
        public void sleep(Duration d) {
        }

        @Override
        public Runnable onShutdown(Runnable action) {
            return () -> { };
        }
    };

    private static ReplicaStatus status(int id, String role, String partitioning, int... groupMasters) {
        List<ReplicaStatus.Group> groups = new java.util.ArrayList<>();
        for (int g = 0; g < groupMasters.length; g++) {
            groups.add(new ReplicaStatus.Group(g, "master", groupMasters[g], 1, 1, 1, 0, 1, true, 0, 0));
        }
        return new ReplicaStatus(id, role, 1, 1, 1, 1, 0, 1, true, 0, 1, "127.0.0.1:" + (7000 + id), 0,
                partitioning == null ? Map.of() : Map.of("partitioning", partitioning), groups);
    }

    @Test
    void waitsForTheRecordAndAMasterOfEveryGroupOnTheMaster() throws Exception {
        Deque<ReplicaStatus> answers = new ArrayDeque<>(List.of(
                status(1, "master", "recording (bound 4 fnv1a64-v1, recorded 1)"),
                status(1, "master", "4 fnv1a64-v1", 1, 2, 0, 0),
                status(1, "master", "4 fnv1a64-v1", 1, 2, 3, 1)));
        PartitionReadiness r = new PartitionReadiness(a -> a.endsWith("1")
                ? Optional.of(answers.size() > 1 ? answers.poll() : answers.peek())
                : Optional.of(status(2, "replica", null)), noWait, out);
        ReplicaStatus s = r.await(List.of("127.0.0.1:7001", "127.0.0.1:7002"), 4, Duration.ofSeconds(5), "DIR");
        assertEquals(4, s.groups().size());
        assertEquals("partitions: 4 fnv1a64-v1, group masters 0->r1 1->r2 2->r3 3->r1\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMismatchIsSaidAtOnceWithTheMastersReason() {
        String why = "mismatch (bound 4 fnv1a64-v1, recorded 1 fnv1a64-v1: the cell holds data (3 nodes, 1 sessions); "
                + "the number of partitions is fixed once a cell holds data)";
        PartitionReadiness r = new PartitionReadiness(a -> Optional.of(status(1, "master", why)), noWait, out);
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> r.await(List.of("127.0.0.1:7001"), 4, Duration.ofSeconds(5), "DIR"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("the cell in DIR cannot be partitioned 4 ways: master 1 reports partitioning="
                + why), e.getMessage());
    }
}
