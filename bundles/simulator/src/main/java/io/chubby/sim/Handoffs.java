package io.chubby.sim;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Planned handoffs in a {@link Simulation} (CORE-API.md "Handing mastership over"): in the seeds
 * {@link #on} picks, a master of a random group is asked, every 0.2-1.2 s of the fault phase, to
 * hand over to a random other replica (which may be down, cut off or lagging), under every fault
 * of the run; once more after healing. Each handoff ends completed (the master sent
 * {@code Handoff}), given up (the master serves again in the same epoch) or interrupted (the
 * master crashed or lost mastership first). Checks, after every event: a master does not serve
 * while it hands off; a replica never again is master in a ballot it handed off. Measured: for the handoff asked after healing (no loss, no
 * partition, no crash, no pause; delays still reorder), whether its target held a valid lease
 * within {@link #TAKEOVER_BOUND_MS} of the completion (fast: no lease wait) or later, or another
 * replica became master (slow); not an invariant, because a late message of the released ballot
 * ends the target's pre-vote in the core and it then waits about a lease (seed 216 with 5 replicas
 * and 4 groups; see the README). Every choice is drawn from a generator
 * of its own, so a seed without handoffs runs exactly as before they existed. Under
 * {@link PaxosPlantedBug#RELEASE_WITHOUT_STOPPING} the same requests instead make the edge send
 * {@code LeaseRelease} for the master's ballot to every other replica while it goes on serving.
 * Runs on the simulation's thread.
 */
final class Handoffs {
    /** Completed after healing: the target holds a valid lease within this (fast), or it waited for a lease. */
    static final long TAKEOVER_BOUND_MS = Simulation.LEASE_MS / 2;

    /** A handoff asked of {@code replica}'s node of {@code group}, master in {@code epoch}; {@code settled}: after healing. */
    private record Asked(int replica, int group, long epoch, int target, boolean settled) {
    }

    /** A handoff asked after healing completed at {@code at}: who holds the next lease above {@code epoch}, and when. */
    private record Takeover(int target, int group, long epoch, long at) {
    }

    private final Simulation sim;
    private final Random random;
    /** Drawn per seed: whether this run asks for handoffs at all; {@link #active} once they are scheduled. */
    private final boolean on;
    private boolean active;
    private final List<Asked> running = new ArrayList<>();
    /** Per replica (id - 1) and group: the epoch of the last ballot it handed off, 0 if none. */
    private final long[][] handedOff;
    private Takeover takeover;
    /** Whether the handoff after healing is still to be asked. */
    private boolean afterHealing;
    int started;
    int completed;
    int givenUp;
    int interrupted;
    int fastTakeovers;
    int slowTakeovers;
    long slowestTakeoverMs;

    Handoffs(Simulation sim, long seed, int replicas, int groups) {
        this(sim, seed, replicas, groups, true);
    }

    /** {@code allowed} false: no planted handoffs in this run (the seed's draw is made all the same). */
    Handoffs(Simulation sim, long seed, int replicas, int groups, boolean allowed) {
        this.sim = sim;
        this.random = new Random(seed * 0x3C6EF372FE94F82BL + 24);
        this.on = (random.nextBoolean() || sim.bug == PaxosPlantedBug.RELEASE_WITHOUT_STOPPING) && allowed;
        this.handedOff = new long[replicas][groups];
    }

    /** Whether this seed asks for handoffs (half the seeds; every seed under the planted release bug). */
    boolean on() {
        return on;
    }

    /** Schedules the first request of the fault phase and the one after healing. */
    void schedule(long healAt) {
        active = true;
        sim.schedule(200 + random.nextInt(800), this::askDuringFaults);
        afterHealing = true;
        sim.schedule(healAt + 100 + random.nextInt(500), this::askAfterHealing);
    }

    private void askDuringFaults() {
        if (sim.healed) {
            return;
        }
        ask(random.nextInt(sim.groups()), false);
        sim.schedule(sim.now + 200 + random.nextInt(1000), this::askDuringFaults);
    }

    /**
     * Retries every 50 ms until a settled master of a random group takes the request (or, under
     * the planted bug, releases). Settled: master in its epoch for at least L, so no acceptor still
     * backs its own election (an acceptor that promised its Prepare refuses other pre-votes for
     * L/2, IN_ELECTION, and a release does not end that: a handoff right after an election waits
     * about L/2 more, seed 12 with 5 replicas and 3 groups).
     */
    private void askAfterHealing() {
        if (!afterHealing) {
            return;
        }
        if (ask(random.nextInt(sim.groups()), true)) {
            afterHealing = false;
        } else {
            sim.schedule(sim.now + 50, this::askAfterHealing);
        }
    }

    /**
     * Asks a master of {@code group} (a running, lease-holding one if any; when {@code settled},
     * only one master in its epoch for L) to hand off; true if it started one.
     */
    private boolean ask(int group, boolean settled) {
        SimReplica master = masterOf(group);
        if (master == null || settled && !settled(master, group)) {
            return false;
        }
        int n = sim.replicas.size();
        int target = 1 + (master.id + random.nextInt(n - 1)) % n; // any other replica
        PaxosNode node = master.group(group).node;
        long local = master.clock.local(sim.now);
        if (sim.bug == PaxosPlantedBug.RELEASE_WITHOUT_STOPPING) {
            if (!node.leaseValid(local)) {
                return false;
            }
            releaseWithoutStopping(master, group, Ballot.ofEpoch(node.epoch()));
            return true;
        }
        if (!node.handOff(target, local)) {
            return false;
        }
        started++;
        running.add(new Asked(master.id, group, node.epoch(), target, settled));
        sim.trace("handoff asked of r" + master.id + (sim.groups() > 1 ? " g" + group : "") + " to r" + target
                + " (epoch " + node.epoch() + ")");
        sim.loop.drain(master);
        return true;
    }

    /** A running, unpaused replica that is master of {@code group}: the lease holder if any, else a random one. */
    private SimReplica masterOf(int group) {
        List<SimReplica> masters = new ArrayList<>();
        for (SimReplica r : sim.replicas) {
            if (r.up() && !r.paused && r.group(group).node.role() == Role.MASTER) {
                if (r.group(group).node.leaseValid(r.clock.local(sim.now))) {
                    return r;
                }
                masters.add(r);
            }
        }
        return masters.isEmpty() ? null : masters.get(random.nextInt(masters.size()));
    }

    private boolean settled(SimReplica master, int group) {
        long epoch = master.group(group).node.epoch();
        for (int i = sim.checks.masterships.size() - 1; i >= 0; i--) {
            Simulation.Mastership m = sim.checks.masterships.get(i);
            if (m.replica() == master.id && m.group() == group && m.epoch() == epoch) {
                return sim.now - m.at() >= Simulation.LEASE_MS;
            }
        }
        return false;
    }

    /** The planted bug: the edge releases every other replica's lease promise and the master serves on. */
    private void releaseWithoutStopping(SimReplica master, int group, Ballot ballot) {
        sim.trace("planted: r" + master.id + " releases ballot " + ballot + " and serves on");
        for (SimReplica r : sim.replicas) {
            if (r != master) {
                sim.loop.send(new SimEnvelope(group, new Message.LeaseRelease(master.id, r.id, ballot)));
            }
        }
    }

    /** {@code r}'s node of {@code group} sent {@code h} in a loop pass: the handoff asked of it completed. */
    void sent(SimReplica r, int group, Message.Handoff h) {
        Asked asked = find(r.id, group);
        if (asked == null || asked.epoch() != h.ballot().epoch() || asked.target() != h.to()) {
            throw new SimulationFailure("replica " + r.id + (sim.groups() > 1 ? " group " + group : "") + " sent " + h
                    + " but was asked for no such handoff (" + asked + ")");
        }
        running.remove(asked);
        completed++;
        handedOff[r.id - 1][group] = asked.epoch();
        sim.trace("handoff completed by r" + r.id + (sim.groups() > 1 ? " g" + group : "") + " to r" + h.to());
        if (asked.settled()) {
            takeover = new Takeover(h.to(), group, asked.epoch(), sim.now);
        }
    }

    private Asked find(int replica, int group) {
        for (Asked a : running) {
            if (a.replica() == replica && a.group() == group) {
                return a;
            }
        }
        return null;
    }

    /** Whether the run must go on: the handoff after healing is still to be asked, to end, or its takeover measured. */
    boolean pending() {
        if (!active) {
            return false;
        }
        for (Asked a : running) {
            if (a.settled()) {
                return true;
            }
        }
        return afterHealing || takeover != null;
    }

    /** After every event: settles running handoffs and checks what a completed one promises. */
    void check() {
        if (!active) {
            return;
        }
        settleRunning();
        for (SimReplica r : sim.replicas) {
            if (!r.up()) {
                continue;
            }
            for (SimGroup g : r.groups) {
                long e = handedOff[r.id - 1][g.group];
                if (e != 0 && g.node.role() == Role.MASTER && g.node.epoch() == e) {
                    throw new SimulationFailure("replica " + r.id + (sim.groups() > 1 ? " group " + g.group : "")
                            + " is master again in epoch " + e + ", which it handed off");
                }
            }
        }
        measureTakeover();
    }

    private void settleRunning() {
        for (int i = running.size() - 1; i >= 0; i--) {
            Asked a = running.get(i);
            SimReplica r = sim.replica(a.replica());
            if (!r.up()) {
                running.remove(i);
                interrupted++;
                continue;
            }
            PaxosNode node = r.group(a.group()).node;
            if (r.paused || node.hasReady()) {
                continue; // its Handoff may still be in the pass it has not finished
            }
            if (node.role() != Role.MASTER || node.epoch() != a.epoch()) {
                running.remove(i);
                interrupted++;
            } else if (node.handoffTarget() == 0) {
                running.remove(i);
                givenUp++;
                sim.trace("handoff given up by r" + r.id + (sim.groups() > 1 ? " g" + a.group() : ""));
            } else if (node.canServe(r.clock.local(sim.now))) {
                throw new SimulationFailure("replica " + r.id + (sim.groups() > 1 ? " group " + a.group() : "")
                        + " serves while it hands off to replica " + a.target());
            }
        }
    }

    /** The first valid lease above the handed-off epoch in the group: the target's within the bound is fast. */
    private void measureTakeover() {
        if (takeover == null) {
            return;
        }
        for (SimReplica r : sim.replicas) {
            PaxosNode node = r.up() ? r.group(takeover.group()).node : null;
            if (node != null && node.leaseValid(r.clock.local(sim.now)) && node.epoch() > takeover.epoch()) {
                long ms = sim.now - takeover.at();
                if (r.id == takeover.target() && ms <= TAKEOVER_BOUND_MS) {
                    fastTakeovers++;
                } else {
                    slowTakeovers++;
                    slowestTakeoverMs = Math.max(slowestTakeoverMs, ms);
                    sim.trace("slow takeover: r" + r.id + " holds the lease " + ms + " ms after the handoff to r"
                            + takeover.target());
                }
                takeover = null;
                return;
            }
        }
    }
}
