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
    /** Replicas 1..members form the initial configuration; the others join (start with none). */
    final int members;
    final Map<Integer, PaxosNode> nodes = new HashMap<>();
    final Map<Integer, MemLog> logs = new HashMap<>();
    final Map<Integer, List<Entry>> applied = new HashMap<>();
    final Map<Integer, List<Integer>> snapshotRequests = new HashMap<>();
    final Set<Long> cut = new HashSet<>();
    final ArrayDeque<Message> wire = new ArrayDeque<>();
    final List<Ready> readies = new ArrayList<>();
    long now = 1_000;

    TestCell(int n) {
        this(n, n);
    }

    /** Replicas 1..n on the network; 1..members the initial configuration, the rest joining ones. */
    TestCell(int n, int members) {
        this.n = n;
        this.members = members;
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
        if (!ids.contains(self)) {
            ids.add(self); // a joining replica: the initial list is not its configuration (RecoveredState says)
        }
        return new PaxosConfig(self, ids, 1500, 500, 0.01, 300, 100, 16, 1 << 20, 4);
    }

    /**
     * (Re)starts replica i from its durable log, with the configuration its applied entries end in
     * (what a state machine records): the last configuration entry applied, else the initial one
     * for an initial member and none for a joining replica.
     */
    void start(int i) {
        List<Entry> done = applied.get(i);
        long appliedIndex = done.isEmpty() ? 0 : done.get(done.size() - 1).index();
        Configuration c = i <= members ? null : Configuration.NONE;
        for (Entry e : done) {
            Configuration d = Configuration.decode(e.value());
            c = d != null ? d : c;
        }
        Random rnd = new Random(i * 0x9E3779B97F4A7C15L);
        nodes.put(i, new PaxosNode(config(i, members), new RecoveredState(logs.get(i).promised, appliedIndex, c),
                logs.get(i), rnd::nextLong, now));
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

    /** Lets 2.5 s pass (an election with every replica up) and returns the master, which must serve. */
    int electMaster() {
        elapse(2_500);
        int m = master();
        if (m == 0 || !node(m).canServe(now)) {
            throw new AssertionError("no serving master after 2.5 s: " + m);
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
            if (!e.isNoop() && !Configuration.isConfiguration(e.value())) {
                out.add(new String(e.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The configurations replica i applied, in order. */
    List<Configuration> configurations(int i) {
        List<Configuration> out = new ArrayList<>();
        for (Entry e : applied.get(i)) {
            Configuration c = Configuration.decode(e.value());
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | to;
    }
}
