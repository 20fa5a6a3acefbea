package io.chubby.cell.internal;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.MemoryStateStores;
import io.chubby.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Three {@link CellHost}s on testkit groups ({@link FakeGroupCell}, {@link MemoryStateStores}),
 * every member announcing one peer minor (3 unless told), replica 1 elected master of group 0, and
 * on demand N groups recorded with group g mastered by replica g % 3 + 1: the fixture of the tests
 * of the cell host's partitioning (router, recorder, anchor handles, cross calls). Not thread-safe:
 * one test's.
 */
final class ThreeHosts {
    final MutableClock clock = new MutableClock();
    final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);
    final List<CellHost> hosts = new ArrayList<>();

    /** Starts the three hosts, every member announcing peer minor 3, and elects replica 1 in group 0. */
    void start() {
        start(3, h -> { });
    }

    /**
     * Starts the three hosts, each given to {@code beforeStart} first, every member announcing peer
     * minor {@code minor}, and elects replica 1 in group 0.
     */
    void start(int minor, Consumer<CellHost> beforeStart) {
        for (int r = 1; r <= 3; r++) {
            MemoryStateStores stores = new MemoryStateStores();
            CellHost h = new CellHost(cell.replica(r).open(0), stores.group(0), cell.replica(r), stores, settings,
                    clock, new Random(r));
            beforeStart.accept(h);
            h.start();
            hosts.add(h);
            cell.replica(r).announcePeerMinors(Map.of(1, minor, 2, minor, 3, minor));
        }
        cell.elect(0, 1);
    }

    /**
     * Records {@code n} partitions through replica 1, waits until every host opened the groups, and
     * elects replica g % 3 + 1 in each group g >= 1 (neighbouring groups on different replicas).
     */
    void partition(int n) throws Exception {
        host(1).recordPartitions(n).get(10, TimeUnit.SECONDS);
        for (CellHost h : hosts) {
            Await.until(n + " groups open", () -> h.openGroups().size() == n);
        }
        for (int g = 1; g < n; g++) {
            cell.elect(g, g % 3 + 1);
        }
    }

    void stop() {
        hosts.forEach(CellHost::stop);
    }

    /** Replica {@code r}'s host, 1..3. */
    CellHost host(int r) {
        return hosts.get(r - 1);
    }
}
