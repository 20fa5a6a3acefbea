package io.chubby.paxos.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.Member;
import io.chubby.testkit.MemoryLogStores;
import io.chubby.testkit.MemoryNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * R replicas in one JVM on a {@link MemoryNetwork}, each hosting groups 0..G-1 over its own
 * {@link MemoryLogStores}, with one {@link LedgerStateMachine} per replica and group; the lease of
 * {@link TestCell} (0.8 s).
 */
final class GroupCell implements AutoCloseable {
    final MemoryNetwork net = new MemoryNetwork();
    final List<Member> members = new ArrayList<>();
    final Map<Integer, MemoryLogStores> stores = new ConcurrentHashMap<>();
    final Map<Integer, PaxosReplica> replicas = new ConcurrentHashMap<>();
    /** Key: replica * 1000 + group. */
    private final Map<Integer, LedgerStateMachine> machines = new ConcurrentHashMap<>();
    final int groups;

    GroupCell(int replicaCount, int groups) {
        this(replicaCount, groups, PlacementSettings.defaults());
    }

    /** As above, the masters of several groups placed by {@code placement}. */
    GroupCell(int replicaCount, int groups, PlacementSettings placement) {
        this.groups = groups;
        for (int i = 1; i <= replicaCount; i++) {
            members.add(new Member(i, "127.0.0.1", 7000 + i, 7100 + i));
        }
        for (int i = 1; i <= replicaCount; i++) {
            stores.put(i, new MemoryLogStores());
            ReplicaSettings s = new ReplicaSettings(i, members, "test", 800, 250, 0.01, 5, 1000, 10_000, 1000);
            PaxosReplica r = new PaxosReplica(s, placement, stores.get(i), net.transport(i),
                    () -> System.nanoTime() / 1_000_000, i * 7919L);
            replicas.put(i, r);
            for (int g = 0; g < groups; g++) {
                LedgerStateMachine m = new LedgerStateMachine();
                machines.put(i * 1000 + g, m);
                consensus(i, g).register(m);
            }
        }
    }

    Consensus consensus(int replica, int group) {
        return replicas.get(replica).groups().open(group);
    }

    /** Group {@code group}'s face on {@code replica} (its move-master hook). */
    GroupConsensus face(int replica, int group) {
        return (GroupConsensus) consensus(replica, group);
    }

    /** Who each group's master is, as its master reports (0: none serving); never two at once. */
    Map<Integer, Integer> masters() {
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        for (int g = 0; g < groups; g++) {
            out.put(g, 0);
            for (int id : replicas.keySet()) {
                if (consensus(id, g).isMaster()) {
                    Integer other = out.put(g, id);
                    if (other != 0) {
                        throw new AssertionError("two replicas serve group " + g + ": " + other + " and " + id);
                    }
                }
            }
        }
        return out;
    }

    LedgerStateMachine machine(int replica, int group) {
        return machines.get(replica * 1000 + group);
    }

    /** The replica that may serve group {@code group}, waiting up to {@code ms} for one. */
    Consensus awaitMaster(int group, long ms) {
        Consensus[] found = new Consensus[1];
        TestCell.await(ms, "a master of group " + group, () -> {
            for (int id : replicas.keySet()) {
                if (consensus(id, group).isMaster()) {
                    found[0] = consensus(id, group);
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void close() {
        for (PaxosReplica r : replicas.values()) {
            r.close();
        }
    }
}
