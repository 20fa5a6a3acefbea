package io.chubby.sim;

import java.util.List;
import java.util.Random;

/**
 * The whole-cell simulation's fault menu, one seeded pick at a time during the fault phase:
 * replica crashes (at once, or in the middle of a loop pass: after its requests left but before
 * its writes, or after its writes but before its answers; the unsynced tail of its log and state
 * store survives in part), crashes of the master, partitions (a split, the master cut off, a one-way
 * cut), healing links, process pauses longer than the master lease, storms of long-delayed peer
 * messages (an old master's messages arrive after the next election), clock rate changes within
 * the drift bound (replicas and clients), client crashes and clients cut off from the cell.
 */
final class CellFaults {
    private final CellSimulation sim;
    private final Random rnd;
    int injected;

    CellFaults(CellSimulation sim) {
        this.sim = sim;
        this.rnd = sim.rnd;
    }

    void injectOne() {
        injected++;
        int n = sim.replicas.size();
        int pick = rnd.nextInt(16);
        sim.trace("fault " + pick);
        switch (pick) {
            case 0 -> crash(sim.replica(1 + rnd.nextInt(n)));
            case 1 -> {
                SimCellReplica m = master();
                if (m != null) {
                    crash(m);
                }
            }
            case 2 -> split(n);
            case 3 -> isolateMaster(n);
            case 4 -> oneWay(n);
            case 5 -> {
                sim.net.healAll();
                sim.clientNetwork.healClients();
            }
            case 6 -> sim.net.healAll();
            case 13 -> masterWithSomeClients(n);
            case 14, 15 -> isolateLockHolder();
            case 7 -> pause();
            case 8 -> sim.stormUntil = sim.now + 500 + rnd.nextInt(1_500);
            case 9 -> skewReplica();
            case 10 -> skewClient();
            case 11 -> crashClient();
            case 12 -> isolateClient();
            default -> throw new IllegalStateException("no fault " + pick);
        }
    }

    private SimCellReplica master() {
        for (SimCellReplica r : sim.replicas) {
            if (r.up() && r.node != null && r.node.leaseValid(r.paxosNow())) {
                return r;
            }
        }
        return null;
    }

    private void crash(SimCellReplica r) {
        if (!r.up()) {
            sim.restart(r);
            return;
        }
        switch (rnd.nextInt(3)) {
            case 0 -> sim.crash(r);
            case 1 -> r.crashPoint = SimCellReplica.CrashPoint.BEFORE_PERSIST;
            default -> r.crashPoint = SimCellReplica.CrashPoint.AFTER_PERSIST;
        }
    }

    private void split(int n) {
        sim.net.healAll();
        for (int a = 1; a <= n; a++) {
            for (int b = 1; b <= n; b++) {
                if (a != b && (a <= n / 2) != (b <= n / 2)) {
                    sim.net.block(a, b);
                }
            }
        }
    }

    private void isolateMaster(int n) {
        SimCellReplica m = master();
        int victim = m != null ? m.id : 1 + rnd.nextInt(n);
        for (int o = 1; o <= n; o++) {
            if (o != victim) {
                sim.net.block(victim, o);
                sim.net.block(o, victim);
            }
        }
    }

    /** The master cut off from the other replicas, with some clients still reaching only it. */
    private void masterWithSomeClients(int n) {
        isolateMaster(n);
        SimCellReplica m = master();
        int alone = m != null ? m.id : 1 + rnd.nextInt(n);
        java.util.Set<Integer> side = new java.util.TreeSet<>();
        for (SimClient c : sim.clients) {
            if (rnd.nextBoolean()) {
                side.add(c.id);
            }
        }
        sim.clientNetwork.splitClients(side, java.util.Set.of(alone));
    }

    private void oneWay(int n) {
        int victim = 1 + rnd.nextInt(n);
        boolean deaf = rnd.nextBoolean();
        for (int o = 1; o <= n; o++) {
            if (o != victim) {
                if (deaf) {
                    sim.net.block(o, victim);
                } else {
                    sim.net.block(victim, o);
                }
            }
        }
    }

    /** A stopped process (SIGSTOP, a long GC): longer than the master lease, often the master's. */
    private void pause() {
        SimCellReplica m = master();
        SimCellReplica r = m != null && rnd.nextBoolean() ? m : sim.replica(1 + rnd.nextInt(sim.replicas.size()));
        if (r.up()) {
            r.pause(sim.now + 1_200 + rnd.nextInt(1_800));
            sim.trace("pause r" + r.id + " until " + r.pausedUntil);
        }
    }

    /** The clock's rate moves within the bound (an NTP slew); the clock itself does not jump. */
    private void skewReplica() {
        SimCellReplica r = sim.replica(1 + rnd.nextInt(sim.replicas.size()));
        double rate = sim.rate();
        r.paxosClock = reRate(r.paxosClock, rate);
        r.wallClock = reRate(r.wallClock, rate);
    }

    private void skewClient() {
        List<SimClient> cs = sim.clients;
        SimClient c = cs.get(rnd.nextInt(cs.size()));
        c.clock = reRate(c.clock, sim.rate());
    }

    private DriftingClock reRate(DriftingClock c, double rate) {
        long local = c.local(sim.now);
        return new DriftingClock(local - (long) Math.floor(rate * sim.now), rate);
    }

    private void crashClient() {
        SimClient c = sim.clients.get(rnd.nextInt(sim.clients.size()));
        if (!c.crashed) {
            c.crash();
            sim.at(sim.now + 500 + rnd.nextInt(2_000), () -> {
                if (c.crashed && !sim.healed) {
                    c.start();
                }
            });
        }
    }

    /**
     * A client holding a lock cut off for longer than its session lease: the master ends its
     * session, the lock-delay runs out, another client may take the lock; the cut-off client must
     * have stopped trusting its lock by then (its local lease ran out first).
     */
    private void isolateLockHolder() {
        for (SimClient h : sim.clients) {
            if (!h.held.isEmpty() && !h.crashed) {
                sim.clientNetwork.isolate(h, sim.now + 2_000 + rnd.nextInt(3_000));
                return;
            }
        }
        isolateClient();
    }

    /** A client cut off, often one that holds a lock (the case leases and lock-delay are for). */
    private void isolateClient() {
        SimClient c = sim.clients.get(rnd.nextInt(sim.clients.size()));
        if (rnd.nextBoolean()) {
            for (SimClient h : sim.clients) {
                if (!h.held.isEmpty() && !h.crashed) {
                    c = h;
                    break;
                }
            }
        }
        sim.clientNetwork.isolate(c, sim.now + 300 + rnd.nextInt(4_700)); // up to two and a half leases
    }
}
