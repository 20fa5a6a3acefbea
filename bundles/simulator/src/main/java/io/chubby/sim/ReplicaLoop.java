package io.chubby.sim;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.paxos.core.Ready;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated edge of every replica of a {@link Simulation}, GroupHost's loop: ticks,
 * deliveries, loop passes (every group's requests out, one combined persist, answers, then per
 * group apply and advance), snapshot transfers and log compaction, with the crash and pause
 * points a fault set inside a pass. Runs on the simulation's thread.
 */
final class ReplicaLoop {
    private final Simulation sim;
    int snapshots;
    int tornCrashes;
    long staleLateDeliveries;

    ReplicaLoop(Simulation sim) {
        this.sim = sim;
    }

    /** Every group is ticked with the same local time, then one loop pass. */
    void tick(SimReplica r) {
        if (r.up() && !r.paused) {
            for (SimGroup g : r.groups) {
                g.node.tick(r.clock.local(sim.now));
            }
            drain(r);
        }
        sim.schedule(sim.now + sim.tickMs, () -> tick(r));
    }

    private void deliver(SimEnvelope env, boolean late) {
        if (late && env.message().ballot().epoch() < sim.checks.maxMasterEpoch[env.group()]) {
            staleLateDeliveries++;
        }
        deliver(env);
    }

    void deliver(SimEnvelope env) {
        SimReplica r = sim.replica(env.message().to());
        if (r.up() && r.paused) {
            r.inbox.add(env);
        } else if (r.up()) {
            sim.trace("deliver " + env);
            route(r, env).step(env, r.clock.local(sim.now), sim.deliveryCheck);
            drain(r);
        }
    }

    /** The group of {@code r} a message is handed to: its own, unless {@link PaxosPlantedBug#GROUP_CROSSTALK} misroutes it. */
    private SimGroup route(SimReplica r, SimEnvelope env) {
        int groups = sim.groups();
        if (sim.bug == PaxosPlantedBug.GROUP_CROSSTALK && groups > 1 && sim.bugRandom.nextInt(50) == 0) {
            return r.group((env.group() + 1 + sim.bugRandom.nextInt(groups - 1)) % groups);
        }
        return r.group(env.group());
    }

    /**
     * The edge's loop, GroupHost's pass: one Ready of every group that has one; every group's
     * requests out, one combined persist, answers, then per group apply and advance.
     */
    void drain(SimReplica r) {
        if (r.pendingPass != null) { // resumed from a pause before this pass's persist
            List<SimReplica.GroupReady> pass = r.pendingPass;
            r.pendingPass = null;
            if (!finish(r, pass)) {
                return;
            }
        }
        for (int guard = 0; r.hasReady(); guard++) {
            if (guard > 1000) {
                throw new SimulationFailure("replica " + r.id + " produces Ready forever");
            }
            List<SimReplica.GroupReady> pass = new ArrayList<>();
            for (SimGroup g : r.groups) {
                if (g.node.hasReady()) {
                    Ready rd = g.node.ready();
                    if ((rd.promised() != null || !rd.entries().isEmpty()) && !rd.sync()) {
                        throw new SimulationFailure("acceptor state change without sync on replica " + r.id
                                + " group " + g.group);
                    }
                    pass.add(new SimReplica.GroupReady(g, rd));
                }
            }
            // Requests go out before the persist, as the real edge sends them (CORE-API.md step 0).
            for (SimReplica.GroupReady gr : pass) {
                for (Message m : gr.ready().messages()) {
                    if (!m.answersPeer()) {
                        if (m instanceof Message.Handoff h && sim.membership != null) {
                            // The only handoffs of a membership run: a master removed by its own change.
                            if (gr.group().node.committedConfiguration().contains(r.id)) {
                                throw new SimulationFailure("replica " + r.id + " group " + gr.group().group
                                        + " sent " + h + " though it is a member of "
                                        + gr.group().node.committedConfiguration());
                            }
                        } else if (m instanceof Message.Handoff h) {
                            sim.handoffs.sent(r, gr.group().group, h);
                        }
                        send(gr.group().group, m);
                    }
                }
            }
            if (r.crashPoint == SimReplica.CrashPoint.BEFORE_PERSIST) {
                sim.outages.crash(r);
                return;
            }
            if (r.pauseAtPersistMs > 0 && r.pauseBeforePersist) {
                // Stopped after its requests went out, before its writes: the rest of this pass
                // (persist, answers, apply, advance) happens when it resumes.
                sim.outages.pause(r, r.pauseAtPersistMs);
                r.pendingPass = pass;
                return;
            }
            if (!finish(r, pass)) {
                return;
            }
        }
        if (sim.checks.progressEverywhere() && !sim.handoffs.pending()) {
            sim.done = true;
        }
    }

    /** One combined persist, answers, apply, advance; false when the replica crashed or paused on the way. */
    private boolean finish(SimReplica r, List<SimReplica.GroupReady> pass) {
        int records = 0;
        boolean sync = false;
        for (SimReplica.GroupReady gr : pass) {
            records += gr.records();
            sync |= gr.ready().sync();
        }
        if (r.crashPoint == SimReplica.CrashPoint.TORN && records >= 2) {
            // The power goes during a write of two or more records (a smaller one cannot tear):
            // no fsync, and crash() keeps what of it reached the disk.
            for (SimReplica.GroupReady gr : pass) {
                gr.group().storage.write(gr.ready().promised(), gr.ready().entries(), false);
            }
            r.wroteUnsynced(pass);
            tornCrashes++;
            sim.outages.crash(r);
            return false;
        }
        // One combined write: one fsync, if any group's batch asks for it, makes every group's writes durable.
        for (SimReplica.GroupReady gr : pass) {
            gr.group().storage.write(gr.ready().promised(), gr.ready().entries(), false);
        }
        if (sync) {
            for (SimGroup g : r.groups) {
                g.storage.fsync();
            }
            r.unsyncedWrites.clear();
        } else if (records > 0) {
            r.wroteUnsynced(pass);
        }
        for (SimReplica.GroupReady gr : pass) {
            for (Entry e : gr.ready().entries()) {
                sim.oracle(gr.group().group).accepted(r.id, e);
            }
        }
        if (r.crashPoint == SimReplica.CrashPoint.AFTER_PERSIST) {
            sim.outages.crash(r);
            return false;
        }
        if (r.pauseAtPersistMs > 0) {
            sim.outages.pause(r, r.pauseAtPersistMs); // stopped between its writes and its answers
        }
        for (SimReplica.GroupReady gr : pass) {
            for (Message m : gr.ready().messages()) {
                if (m.answersPeer()) {
                    SimEnvelope env = new SimEnvelope(gr.group().group, m);
                    if (r.paused) {
                        r.held.add(env);
                    } else {
                        send(env);
                    }
                }
            }
        }
        for (SimReplica.GroupReady gr : pass) {
            applyAndAdvance(r, gr.group(), gr.ready());
        }
        // Paused: the answers above and any further pass wait for the resume.
        return !r.paused;
    }

    private void applyAndAdvance(SimReplica r, SimGroup g, Ready rd) {
        Oracle oracle = sim.oracle(g.group);
        PaxosChecks checks = sim.checks;
        for (Entry e : rd.committed()) {
            oracle.applied(r.id, e);
            g.machine.apply(e.index(), e.epoch(), e.value());
            oracle.state(r.id, e.index(), g.machine.checksum());
            if (sim.healed && checks.progressIndex[g.group] > 0 && e.index() == checks.progressIndex[g.group]
                    && r.id == checks.progressReplica[g.group]) {
                sim.trace("progress index " + checks.progressIndex[g.group]
                        + (sim.groups() > 1 ? " of group " + g.group : ""));
            }
        }
        for (int to : rd.needSnapshot()) {
            sendSnapshot(r, g, to);
        }
        if (rd.status() != null) {
            checks.observeStatus(r, g, rd.status());
        }
        g.node.advance(rd);
        compact(g);
    }

    private void compact(SimGroup g) {
        KvStateMachine m = g.machine;
        if (m.appliedIndex() - m.durableIndex() >= 25) {
            m.makeDurable();
            if (sim.compaction) {
                g.storage.truncateBefore(m.durableIndex() - 10 + 1);
            }
        }
    }

    private void send(int group, Message m) {
        send(new SimEnvelope(group, m));
    }

    void send(SimEnvelope env) {
        SimNetwork net = sim.net;
        int copies = net.copies(env.message().from(), env.message().to(), sim.now);
        for (int i = 0; i < copies; i++) {
            int delay = net.delay();
            boolean late = delay >= net.longDelayMin && net.longDelay > 0;
            sim.schedule(sim.now + delay, () -> deliver(env, late));
        }
    }

    private void sendSnapshot(SimReplica from, SimGroup g, int to) {
        if (from.paused) {
            return; // best effort: the core flags the follower again
        }
        KvStateMachine.Image img = g.machine.image();
        if (sim.net.copies(from.id, to, sim.now) > 0) {
            sim.schedule(sim.now + sim.net.delay() + 5, () -> installSnapshot(sim.replica(to), g.group, img));
        }
    }

    private void installSnapshot(SimReplica r, int group, KvStateMachine.Image img) {
        SimGroup g = r.group(group);
        if (!r.up() || r.paused || img.appliedIndex() <= g.node.appliedIndex()) {
            return;
        }
        sim.trace("snapshot r" + r.id + (sim.groups() > 1 ? " g" + group : "") + " at " + img.appliedIndex());
        snapshots++;
        g.machine.install(img);
        g.storage.truncateBefore(img.appliedIndex() + 1);
        sim.oracle(group).state(r.id, img.appliedIndex(), img.checksum());
        g.node.snapshotInstalled(img.appliedIndex(), img.configuration());
        drain(r);
        if (sim.healthy) {
            // Installing (and making durable) a large snapshot keeps the edge's loop busy: peer
            // messages wait in its inbox and the node is not ticked until it is done.
            sim.outages.pause(r, 1 + sim.rnd.nextInt((int) Simulation.LEASE_MS));
        }
    }
}
