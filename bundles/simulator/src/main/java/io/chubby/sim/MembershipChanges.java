package io.chubby.sim;

import io.chubby.paxos.core.Configuration;
import io.chubby.paxos.core.PaxosNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * The membership changes of a {@link Simulation#withMembershipChanges} run (CORE-API.md "Changing
 * the members"): during the fault phase, every 0.1-0.5 s, each group's serving master is asked for
 * the next change: to add a replica of the run that is not a member (first as a learner, promoted
 * once caught up; one time in four before, which the core must refuse), or to remove a member (possibly itself), never
 * below {@link #minimum} members. A change waits while one is under way. Its own random
 * generator: the rest of the run draws as before.
 */
final class MembershipChanges {
    /** Replicas beyond the initial members, starting in no configuration. */
    static final int JOINERS = 2;

    private final Simulation sim;
    private final Random random;
    private final int initial;
    private final int universe;
    /** Per group: the learner waiting for promotion (0: none) and when it was added. */
    private final int[] learner;
    private final long[] learnerSince;
    int learnersAdded;
    int proposed;
    int removedMasters;

    MembershipChanges(Simulation sim, long seed, int initial, int universe) {
        this.sim = sim;
        this.random = new Random(seed * 0x7A3F1E29B5C4D6E1L + 31);
        this.initial = initial;
        this.universe = universe;
        this.learner = new int[sim.groups()];
        this.learnerSince = new long[sim.groups()];
    }

    /** The fewest members a change leaves: 3 in runs of 5 initial members, 2 in runs of 3. */
    int minimum() {
        return initial >= 5 ? 3 : 2;
    }

    void start() {
        sim.schedule(300 + random.nextInt(400), this::step);
    }

    private void step() {
        if (sim.healed || sim.done) {
            return; // after healing the cell must converge: no new changes
        }
        for (int g = 0; g < sim.groups(); g++) {
            change(g);
        }
        sim.schedule(sim.now + 100 + random.nextInt(400), this::step);
    }

    private void change(int g) {
        SimReplica master = null;
        for (SimReplica r : sim.replicas) {
            if (r.up() && !r.paused && r.group(g).node.canServe(r.clock.local(sim.now))) {
                master = r;
            }
        }
        if (master == null) {
            return;
        }
        PaxosNode node = master.group(g).node;
        long local = master.clock.local(sim.now);
        if (node.configurationChanging()) {
            return;
        }
        Configuration current = node.committedConfiguration();
        int waiting = learner[g];
        if (waiting != 0 && current.contains(waiting)) {
            learner[g] = 0;
            waiting = 0;
        }
        if (waiting != 0) {
            boolean ready = node.caughtUp(waiting, local);
            if (ready || random.nextInt(4) == 0) {
                // Not caught up: the core must refuse (every member of the new configuration caught up).
                TreeSet<Integer> next = new TreeSet<>(current.members());
                next.add(waiting);
                long index = propose(master, g, node, Configuration.of(next), local,
                        "add " + waiting + (ready ? "" : " (not caught up)"));
                if (!ready && index > 0) {
                    throw new SimulationFailure("group " + g + ": replica " + master.id + " added " + waiting
                            + " which was not caught up");
                }
                if (index > 0) {
                    learner[g] = 0;
                }
            }
            if (learner[g] != 0 && sim.now - learnerSince[g] > 2_000) {
                node.removeLearner(waiting); // never caught up (down, cut off): give it up
                learner[g] = 0;
            }
            return;
        }
        List<Integer> outside = new ArrayList<>();
        for (int id = 1; id <= universe; id++) {
            if (!current.contains(id)) {
                outside.add(id);
            }
        }
        boolean add = !outside.isEmpty() && (current.size() <= minimum() || random.nextBoolean());
        if (add) {
            int id = outside.get(random.nextInt(outside.size()));
            if (node.addLearner(id, local)) {
                learner[g] = id;
                learnerSince[g] = sim.now;
                learnersAdded++;
                sim.trace("membership g" + g + " r" + master.id + " learner " + id);
                sim.loop.drain(master);
            }
        } else if (current.size() > minimum()) {
            List<Integer> members = new ArrayList<>(current.members());
            int id = members.get(random.nextInt(members.size()));
            TreeSet<Integer> next = new TreeSet<>(current.members());
            next.remove(id);
            if (id == master.id) {
                removedMasters++;
            }
            propose(master, g, node, Configuration.of(next), local, "remove " + id);
        }
    }

    /**
     * Asks for the change; -2 (entries in flight, the core now holds proposals back) is asked again
     * every 5 ms while this replica still serves, as the edge does every tick.
     */
    private long propose(SimReplica master, int g, PaxosNode node, Configuration next, long local, String what) {
        long index = node.proposeMembers(next, null, local);
        sim.trace("membership g" + g + " r" + master.id + " " + what + " -> " + next + " index=" + index);
        if (index > 0) {
            proposed++;
            sim.loop.drain(master);
        } else if (index == -2) {
            sim.schedule(sim.now + 5, () -> {
                if (master.up() && !master.paused && master.group(g).node == node) {
                    propose(master, g, node, next, master.clock.local(sim.now), what);
                }
            });
        }
        return index;
    }
}
