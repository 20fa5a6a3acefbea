package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The consensus series ({@link PaxosMetricsComponent}) of a three-replica cell whose lagger needs a snapshot. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PaxosMetricsTest {

    @Test
    void proposalsCommitsSnapshotsAndCatchUpsAreCountedPerGroup() throws Exception {
        try (TestCell cell = new TestCell(3, 100, 10)) {
            PaxosReplica m = cell.awaitMaster(5000);
            int masterId = m.self().id();
            int lagger = cell.replicas.keySet().stream().filter(id -> id != masterId).findFirst().orElseThrow();
            cell.net.isolate(lagger);
            long last = commitAll(m, 300);
            TestCell.await(5000, "master log compacted",
                    () -> cell.stores.get(masterId).firstIndex() > cell.machines.get(lagger).applied() + 1);
            cell.net.heal();
            cell.awaitApplied(last, 10_000);

            Map<String, Sample> master = group0(new PaxosMetricsComponent(m).metrics());
            assertEquals(300, master.get("chubby_proposals").value());
            assertTrue(master.get("chubby_commits").value() >= 300, "commits " + master.get("chubby_commits"));
            TestCell.await(5000, "snapshot counted", () -> count(m, "chubby_snapshots_sent") >= 1);
            assertTrue(count(m, "chubby_catchups") >= count(m, "chubby_snapshots_sent"));

            PaxosReplica l = cell.replicas.get(lagger);
            Map<String, Sample> lag = group0(new PaxosMetricsComponent(l).metrics());
            assertEquals(0, lag.get("chubby_proposals").value());
            assertTrue(lag.get("chubby_snapshots_installed").value() >= 1);
            assertEquals(0, lag.get("chubby_snapshots_sent").value());
        }
    }

    private static double count(PaxosReplica r, String name) {
        return group0(new PaxosMetricsComponent(r).metrics()).get(name).value();
    }

    /** The one sample of each series, which must be group 0's: one group, one label value. */
    private static Map<String, Sample> group0(List<Metric> metrics) {
        Map<String, Sample> out = new java.util.HashMap<>();
        for (Metric mt : metrics) {
            assertEquals(Type.COUNTER, mt.type(), mt.name());
            assertEquals(1, mt.samples().size(), mt.name());
            assertEquals(Map.of("group", "0"), mt.samples().get(0).labels(), mt.name());
            out.put(mt.name(), mt.samples().get(0));
        }
        return out;
    }

    private static long commitAll(PaxosReplica master, int n) throws Exception {
        List<CompletableFuture<byte[]>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(master.propose(("c" + i).getBytes(StandardCharsets.UTF_8)));
        }
        long last = 0;
        for (CompletableFuture<byte[]> f : fs) {
            last = Math.max(last, ByteBuffer.wrap(f.get(20, TimeUnit.SECONDS)).getLong());
        }
        return last;
    }
}
