package io.chubby.cell.internal;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.MemoryStateStores;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Three {@link CellHost}s on testkit groups ({@link FakeGroupCell}, {@link MemoryStateStores}),
 * every member announcing peer minor 3, replica 1 elected master of group 0: the fixture of the
 * tests of the cell host's partitioning (router, recorder). Not thread-safe: one test's.
 */
final class ThreeHosts {
    final MutableClock clock = new MutableClock();
    final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);
    final List<CellHost> hosts = new ArrayList<>();

    /** Starts the three hosts and elects replica 1 in group 0. */
    void start() {
        for (int r = 1; r <= 3; r++) {
            MemoryStateStores stores = new MemoryStateStores();
            CellHost h = new CellHost(cell.replica(r).open(0), stores.group(0), cell.replica(r), stores, settings,
                    clock, new Random(r));
            h.start();
            hosts.add(h);
            cell.replica(r).announcePeerMinors(Map.of(1, 3, 2, 3, 3, 3));
        }
        cell.elect(0, 1);
    }

    void stop() {
        hosts.forEach(CellHost::stop);
    }

    /** Replica {@code r}'s host, 1..3. */
    CellHost host(int r) {
        return hosts.get(r - 1);
    }
}
