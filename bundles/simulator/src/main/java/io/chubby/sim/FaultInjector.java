package io.chubby.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The seeded fault schedule of a {@link Simulation}: each call injects one fault (partition,
 * one-way cut, isolation, heal, crash, mid-batch crash (before, during or after the write),
 * restart, a process pause past the lease (often the master's; at once, right after its next
 * write, or between its requests and its writes), a forward clock step within the drift bound).
 * Faults hit replicas, so every group of a replica at once; "the master" or "the lease holder" is
 * a replica holding a valid lease in any of its groups. Runs on the simulation's thread.
 */
final class FaultInjector {
    private final Simulation sim;
    /** Healthy-cell runs: when each replica was last given a crash point. */
    private final java.util.Map<Integer, Long> doomedSince = new java.util.HashMap<>();
    int clockJumps;
    /** Set by the first clock step beyond the drift bound: which clocks, when, by how much. */
    String outsideModel;

    FaultInjector(Simulation sim) {
        this.sim = sim;
    }

    void injectOne() {
        int n = sim.replicas.size();
        int kind = sim.rnd.nextInt(13);
        SimReplica victim = sim.replicas.get(sim.rnd.nextInt(n));
        switch (kind) {
            case 0, 1 -> { // symmetric partition into two random sides
                sim.net.healAll();
                boolean[] side = new boolean[n + 1];
                for (int i = 1; i <= n; i++) {
                    side[i] = sim.rnd.nextBoolean();
                }
                for (SimReplica a : sim.replicas) {
                    for (SimReplica b : sim.replicas) {
                        if (side[a.id] != side[b.id]) {
                            sim.net.block(a.id, b.id);
                        }
                    }
                }
            }
            case 2 -> { // one-way: victim can send but not hear, or hear but not send
                sim.net.healAll();
                boolean deaf = sim.rnd.nextBoolean();
                for (SimReplica b : sim.replicas) {
                    if (b != victim) {
                        if (deaf) {
                            sim.net.block(b.id, victim.id);
                        } else {
                            sim.net.block(victim.id, b.id);
                        }
                    }
                }
            }
            case 3 -> { // isolate one replica
                sim.net.healAll();
                for (SimReplica b : sim.replicas) {
                    sim.net.block(b.id, victim.id);
                    sim.net.block(victim.id, b.id);
                }
            }
            case 4, 5 -> sim.net.healAll();
            case 6 -> { // crash now, or inside the victim's next Ready: before or after its persist
                if (victim.up()) {
                    switch (sim.rnd.nextInt(4)) {
                        case 0 -> sim.outages.crash(victim);
                        case 1 -> victim.crashPoint = SimReplica.CrashPoint.BEFORE_PERSIST;
                        case 2 -> victim.crashPoint = SimReplica.CrashPoint.TORN;
                        default -> victim.crashPoint = SimReplica.CrashPoint.AFTER_PERSIST;
                    }
                }
            }
            case 7 -> { // crash the current master (of any group)
                for (SimReplica r : sim.replicas) {
                    if (r.holdsALease(sim.now)) {
                        sim.outages.crash(r);
                    }
                }
            }
            case 8 -> { // cut the current lease holder (of any group) off from everyone: every group of it
                for (SimReplica r : sim.replicas) {
                    if (r.holdsALease(sim.now)) {
                        for (SimReplica b : sim.replicas) {
                            sim.net.block(b.id, r.id);
                            sim.net.block(r.id, b.id);
                        }
                    }
                }
            }
            case 10, 11 -> { // pause the lease holder (case 10, when there is one) or the victim for 1.1-4 L
                SimReplica target = victim;
                if (kind == 10) {
                    for (SimReplica r : sim.replicas) {
                        if (r.holdsALease(sim.now)) {
                            target = r;
                        }
                    }
                }
                long ms = Simulation.LEASE_MS * 11 / 10 + sim.rnd.nextInt((int) (Simulation.LEASE_MS * 29 / 10));
                int at = sim.rnd.nextInt(3);
                if (at == 0) {
                    sim.outages.pause(target, ms);
                } else if (target.up() && !target.paused) {
                    target.pauseAtPersistMs = ms; // inside its next Ready: before or after its writes
                    target.pauseBeforePersist = at == 1;
                }
            }
            case 12 -> clockJumpWithinBound(victim); // a clock steps forward, within the bound
            default -> sim.outages.restartOne();
        }
    }

    /**
     * The only fault of {@link Simulation#restartsInAHealthyCell}: crash one follower (at once, or
     * inside its next Ready: before, during or after its persist), never a replica that is or may
     * become master, and only while a majority stays available: up, not about to crash, not busy
     * installing a snapshot and reachable by every peer again (a restarted replica whose peers'
     * links have not reconnected cannot acknowledge the master's heartbeats). The crash schedules
     * its restart.
     */
    void crashAFollower() {
        for (SimReplica r : sim.replicas) {
            // A crash point waits for the victim's next suitable Ready (a torn write needs two
            // records, which a follower under light load may never write): after L, crash it now.
            Long since = doomedSince.get(r.id);
            if (r.up() && r.crashPoint != SimReplica.CrashPoint.NONE && since != null
                    && sim.now - since > Simulation.LEASE_MS) {
                sim.outages.crash(r);
            }
        }
        int n = sim.replicas.size();
        int unavailable = 0;
        List<SimReplica> followers = new ArrayList<>();
        for (SimReplica r : sim.replicas) {
            if (!r.up() || r.crashPoint != SimReplica.CrashPoint.NONE || r.paused
                    || sim.net.anyLinkDownInto(r.id, sim.now)) {
                unavailable++;
            } else if (r.followerEverywhere(sim.now)) {
                followers.add(r);
            }
        }
        if (followers.isEmpty() || unavailable + 1 > n - (n / 2 + 1)) {
            return;
        }
        SimReplica victim = followers.get(sim.rnd.nextInt(followers.size()));
        doomedSince.put(victim.id, sim.now);
        switch (sim.rnd.nextInt(4)) {
            case 0 -> sim.outages.crash(victim);
            case 1 -> victim.crashPoint = SimReplica.CrashPoint.BEFORE_PERSIST;
            case 2 -> victim.crashPoint = SimReplica.CrashPoint.TORN;
            default -> victim.crashPoint = SimReplica.CrashPoint.AFTER_PERSIST;
        }
    }

    /** Steps {@code r}'s clock forward within the drift bound (see {@link DriftingClock#jumpBudget}). */
    void clockJumpWithinBound(SimReplica r) {
        long budget = r.clock.jumpBudget(sim.now, sim.maxDrift, Simulation.CLOCK_HORIZON_MS);
        if (budget > 0) {
            long ms = sim.rnd.nextBoolean() ? budget : 1 + sim.rnd.nextInt((int) budget);
            sim.trace("clock r" + r.id + " steps +" + ms + " ms (budget " + budget + ")");
            clockJumps++;
            r.clock.jump(sim.now, ms);
        }
    }

    /** Outside the model: a majority of replicas (never the lease holder) step their clocks 1.5-4 L forward at once. */
    void clockJumpBeyondBound() {
        List<SimReplica> others = new ArrayList<>();
        for (SimReplica r : sim.replicas) {
            if (!(r.holdsALease(sim.now))) {
                others.add(r);
            }
        }
        Collections.shuffle(others, sim.rnd);
        long ms = Simulation.LEASE_MS * 3 / 2 + sim.rnd.nextInt((int) (Simulation.LEASE_MS * 5 / 2));
        StringBuilder who = new StringBuilder();
        for (SimReplica r : others.subList(0, Math.min(others.size(), sim.replicas.size() / 2 + 1))) {
            r.clock.jump(sim.now, ms);
            clockJumps++;
            who.append(who.length() == 0 ? "" : ",").append(r.id);
        }
        sim.trace("clocks of r" + who + " step +" + ms + " ms, beyond the drift bound");
        if (outsideModel == null) {
            outsideModel = "clocks of replicas " + who + " stepped +" + ms + " ms at t=" + sim.now
                    + "ms, beyond the drift bound " + sim.maxDrift;
        }
    }
}
