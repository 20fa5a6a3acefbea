package io.chubby.cell.internal;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.cross.LocalCrossCalls;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.Create;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
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

/**
 * A cell of two groups through {@link CellHost} for tests: three replicas of testkit groups, N = 2
 * recorded, group 0 mastered by replica 1 and group 1 by replica 2, the masters' cross calls over
 * one in-JVM {@link LocalCrossCalls}.
 */
final class TwoGroups {
    static final int RW = 3;
    static final Partitions TWO = new Partitions(2, PartitionHash.NAME, PartitionHash.SLOTS);
    final MutableClock clock = new MutableClock();
    final CellSettings settings = new CellSettings("c", 1024, 12_000, 60_000, 1_000, 0);
    final FakeGroupCell cell = new FakeGroupCell(FakeConsensus.THREE_REPLICAS);
    final List<MemoryStateStores> stores = List.of(new MemoryStateStores(), new MemoryStateStores(),
            new MemoryStateStores());
    final List<CellHost> hosts = new ArrayList<>();
    /** The masters' channel: to the master of the target group among the three hosts. */
    final LocalCrossCalls inJvm = new LocalCrossCalls(g -> hosts.stream().map(x -> x.localTarget(g))
            .filter(t -> t != null && t.master()).findFirst().orElse(null));

    TwoGroups start() throws Exception {
        for (int r = 1; r <= 3; r++) {
            CellHost host = new CellHost(cell.replica(r).open(0), stores.get(r - 1).group(0), cell.replica(r),
                    stores.get(r - 1), settings, clock, new Random(r));
            host.start();
            hosts.add(host);
            cell.replica(r).announcePeerMinors(Map.of(1, 3, 2, 3, 3, 3));
        }
        hosts.forEach(x -> x.crossCalls(inJvm));
        cell.elect(0, 1);
        hosts.get(0).recordPartitions(2).get(10, TimeUnit.SECONDS);
        hosts.forEach(x -> Await.until("two groups open", () -> x.openGroups().equals(List.of(0, 1))));
        cell.elect(1, 2); // group 1 mastered by another replica than group 0
        return this;
    }

    /** Routes every host's cross calls through {@code channel} (e.g. one that records or holds calls). */
    void crossCalls(CrossCalls channel) {
        hosts.forEach(x -> x.crossCalls(channel));
    }

    void stop() {
        hosts.forEach(CellHost::stop);
    }

    CellServer master(int group) {
        return hosts.get(cell.masterOf(group) - 1).server(group);
    }

    CellState stateOf(int group) {
        return stateOf(master(group));
    }

    static CellState stateOf(CellServer server) {
        return server.stateMachine() instanceof CellStateMachine m ? m.read(s -> s) : null;
    }

    /** Timer steps of every group's master (each step sends the next call of an open intent). */
    void tick(int steps) {
        for (int i = 0; i < steps; i++) {
            master(0).tick();
            master(1).tick();
        }
    }

    /** The first name /ls/c/{prefix}{i} whose node and children live in different groups (C != H). */
    static String crossingDirectory(String prefix) {
        for (int i = 0; ; i++) {
            NodePath p = NodePath.parse("/ls/c/" + prefix + i);
            if (TWO.crossesGroups(p)) {
                return p.toString();
            }
        }
    }

    static Request.Builder open(String path, boolean directory) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setDirectory(directory));
    }
}
