package io.chubby.paxos.internal;

import io.chubby.spi.ConsensusListener;
import io.chubby.spi.Member;
import io.chubby.testkit.Await;
import io.chubby.testkit.MemoryLogStore;
import io.chubby.testkit.MemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * N replicas in one JVM on a {@link MemoryNetwork}, each with its own {@link MemoryLogStore} and
 * {@link LedgerStateMachine}; a short lease (0.8 s) so elections take about a second, yet CPU hiccups on a shared machine do not make the lease lapse.
 */
final class TestCell implements AutoCloseable {
    final MemoryNetwork net = new MemoryNetwork();
    final List<Member> members = new ArrayList<>();
    final Map<Integer, MemoryLogStore> stores = new ConcurrentHashMap<>();
    final Map<Integer, LedgerStateMachine> machines = new ConcurrentHashMap<>();
    final Map<Integer, PaxosReplica> replicas = new ConcurrentHashMap<>();
    /** "id:event:epoch" strings from every replica's listener, in call order per replica. */
    final List<String> events = new CopyOnWriteArrayList<>();
    private final ReplicaSettings template;
    /** Whether every listener call so far ran on its replica's loop thread. */
    volatile boolean onLoopThread = true;

    TestCell(int n, long compactEvery, long compactKeep) {
        for (int i = 1; i <= n; i++) {
            members.add(new Member(i, "127.0.0.1", 7000 + i, 7100 + i));
        }
        template = ReplicaSettings.defaults(1, members).withLease(800, 250).withCompaction(compactEvery, compactKeep);
        for (int i = 1; i <= n; i++) {
            stores.put(i, new MemoryLogStore());
            start(i, new LedgerStateMachine());
        }
    }

    TestCell(int n) {
        this(n, 10_000, 1000);
    }

    void start(int id, LedgerStateMachine machine) {
        ReplicaSettings s = new ReplicaSettings(id, members, "test", template.leaseMs(), template.renewMs(),
                template.maxDrift(), 5, template.batchMaxEntries(), template.compactEveryEntries(),
                template.compactKeepEntries());
        PaxosReplica r = new PaxosReplica(s, stores.get(id), net.transport(id), () -> System.nanoTime() / 1_000_000,
                id * 7919L);
        r.addListener(new ConsensusListener() {
            @Override
            public void becameMaster(long epoch) {
                onLoopThread &= Thread.currentThread().getName().equals("paxos-loop-" + id);
                events.add(id + ":became:" + epoch);
            }

            @Override
            public void lostMastership(long epoch) {
                onLoopThread &= Thread.currentThread().getName().equals("paxos-loop-" + id);
                events.add(id + ":lost:" + epoch);
            }

            @Override
            public void masterChanged(int masterId, long epoch) {
                events.add(id + ":master=" + masterId + ":" + epoch);
            }
        });
        r.register(machine);
        machines.put(id, machine);
        replicas.put(id, r);
    }

    void stop(int id) {
        PaxosReplica r = replicas.remove(id);
        if (r != null) {
            r.close();
        }
    }

    /** The one replica that may serve, waiting up to {@code ms} for one. */
    PaxosReplica awaitMaster(long ms) {
        PaxosReplica[] found = new PaxosReplica[1];
        await(ms, "a master", () -> {
            for (PaxosReplica r : replicas.values()) {
                if (r.isMaster()) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until every running replica applied at least {@code index}. */
    void awaitApplied(long index, long ms) {
        await(ms, "all replicas to apply " + index, () -> replicas.keySet().stream()
                .allMatch(id -> machines.get(id).applied() >= index));
    }

    static void await(long ms, String what, BooleanSupplier cond) {
        Await.until(what, Duration.ofMillis(ms), cond);
    }

    @Override
    public void close() {
        for (int id : new ArrayList<>(replicas.keySet())) {
            stop(id);
        }
    }
}
