package io.chubby.paxos.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A scripted cell in the style of etcd-io/raft's interaction tests: replicas 1..n on one manual
 * clock (no drift), an instant network with droppable links, and the edge loop (persist, send,
 * apply, advance) done by {@link #stabilize}. Deterministic (seeded randomness).
 */
final class TestCell {
    final int n;
    final Map<Integer, PaxosNode> nodes = new HashMap<>();
    final Map<Integer, MemLog> logs = new HashMap<>();
    final Map<Integer, List<Entry>> applied = new HashMap<>();
    final Map<Integer, List<Integer>> snapshotRequests = new HashMap<>();
    final Set<Long> cut = new HashSet<>();
    final ArrayDeque<Message> wire = new ArrayDeque<>();
    final List<Ready> readies = new ArrayList<>();
    long now = 1_000;

    TestCell(int n) {
        this.n = n;
        for (int i = 1; i <= n; i++) {
            logs.put(i, new MemLog());
            applied.put(i, new ArrayList<>());
            snapshotRequests.put(i, new ArrayList<>());
            start(i);
        }
    }

    static PaxosConfig config(int self, int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add(i);
        }
        return new PaxosConfig(self, ids, 1500, 500, 0.01, 300, 100, 16, 1 << 20, 4);
    }

    /** (Re)starts replica i from its durable log. */
    void start(int i) {
        long appliedIndex = applied.get(i).isEmpty() ? 0 : applied.get(i).get(applied.get(i).size() - 1).index();
        Random rnd = new Random(i * 0x9E3779B97F4A7C15L);
        nodes.put(i, new PaxosNode(config(i, n), new RecoveredState(logs.get(i).promised, appliedIndex), logs.get(i),
                rnd::nextLong, now));
    }

    PaxosNode node(int i) {
        return nodes.get(i);
    }

    void isolate(int i) {
        for (int j = 1; j <= n; j++) {
            if (j != i) {
                cut.add(link(i, j));
                cut.add(link(j, i));
            }
        }
    }

    void heal() {
        cut.clear();
    }

    /** Carries out every pending Ready and delivers every message until nothing moves. */
    void stabilize() {
        for (int guard = 0; guard < 100_000; guard++) {
            boolean moved = false;
            for (int i = 1; i <= n; i++) {
                moved |= drain(i);
            }
            Message m = wire.poll();
            if (m == null && !moved) {
                return;
            }
            if (m != null && !cut.contains(link(m.from(), m.to())) && nodes.containsKey(m.to())) {
                nodes.get(m.to()).step(m, now);
            }
        }
        throw new AssertionError("did not stabilize");
    }

    /** Lets {@code ms} pass, ticking every replica every 10 ms and stabilizing in between. */
    void elapse(long ms) {
        for (long t = 0; t < ms; t += 10) {
            now += 10;
            for (PaxosNode node : nodes.values()) {
                node.tick(now);
            }
            stabilize();
        }
    }

    /**
     * Lets {@code ms} pass one millisecond at a time, stabilizing after each; a replica is ticked
     * every millisecond, or with {@code onlyWhenDue} only once its {@link PaxosNode#nextDeadlineMillis}
     * has come.
     */
    void elapseByMs(long ms, boolean onlyWhenDue) {
        for (long t = 0; t < ms; t++) {
            now++;
            for (PaxosNode node : nodes.values()) {
                if (!onlyWhenDue || now >= node.nextDeadlineMillis()) {
                    node.tick(now);
                }
            }
            stabilize();
        }
    }

    boolean drain(int i) {
        PaxosNode node = nodes.get(i);
        if (node == null || !node.hasReady()) {
            return false;
        }
        while (node.hasReady()) {
            Ready r = node.ready();
            readies.add(r);
            logs.get(i).persist(r);
            wire.addAll(r.messages());
            applied.get(i).addAll(r.committed());
            snapshotRequests.get(i).addAll(r.needSnapshot());
            node.advance(r);
        }
        return true;
    }

    /** The replica holding a valid lease, or 0. */
    int master() {
        int m = 0;
        for (var e : nodes.entrySet()) {
            if (e.getValue().leaseValid(now)) {
                if (m != 0) {
                    throw new AssertionError("two lease holders " + m + " and " + e.getKey());
                }
                m = e.getKey();
            }
        }
        return m;
    }

    long propose(int i, String value) {
        long idx = nodes.get(i).propose(value.getBytes(StandardCharsets.UTF_8), now);
        return idx;
    }

    /** The commands (non-no-op values) replica i applied, in order. */
    List<String> commands(int i) {
        List<String> out = new ArrayList<>();
        for (Entry e : applied.get(i)) {
            if (!e.isNoop()) {
                out.add(new String(e.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | to;
    }
}
