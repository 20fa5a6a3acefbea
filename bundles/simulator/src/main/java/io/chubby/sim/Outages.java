package io.chubby.sim;

import io.chubby.paxos.core.Entry;
import java.util.ArrayList;
import java.util.List;

/**
 * What faults do to a {@link Simulation}'s replicas, and when they come: the fault schedule (one
 * {@link FaultInjector} fault every 0.1-1 s until healing), crashes (with what of the unsynced
 * writes reaches the disk), restarts, process pauses and resumes, and healing. Counts what it did
 * for {@link Simulation#faults}. Runs on the simulation's thread.
 */
final class Outages {
    private final Simulation sim;
    int crashes;
    int pauses;
    int pausedHolders;
    int resumedDeposed;
    int tornPartial;

    Outages(Simulation sim) {
        this.sim = sim;
    }

    /** Injects one fault, then schedules the next, until healing. */
    void fault() {
        if (sim.healed) {
            return;
        }
        if (sim.healthy) {
            sim.injector.crashAFollower();
        } else {
            sim.injector.injectOne();
        }
        sim.schedule(sim.now + 100 + sim.rnd.nextInt(900), this::fault);
    }

    /**
     * A crash of every group of {@code r}. With one group, any prefix of the unsynced records
     * reaches the disk (a torn batch: harsher than a JE transaction, and the model before issue
     * 18). With more, what reaches it is a prefix of the unsynced combined writes, each whole or
     * not at all, as one JE transaction per write ({@code LogStores.writeAll}) is: consistent
     * across groups.
     */
    void crash(SimReplica r) {
        int unsynced;
        int reached;
        int[] kept;
        boolean one = sim.groups() == 1;
        if (one) {
            unsynced = r.group(0).storage.unsyncedRecords();
            reached = unsynced == 0 ? 0 : sim.rnd.nextInt(unsynced + 1);
            kept = new int[] {reached};
        } else {
            unsynced = r.unsyncedWrites.size();
            reached = unsynced == 0 ? 0 : sim.rnd.nextInt(unsynced + 1);
            kept = r.recordsOfFirst(reached);
        }
        sim.trace("crash r" + r.id + (unsynced == 0 ? "" : " (" + reached + " of " + unsynced + " unsynced "
                + (one ? "writes" : "combined writes") + " reached the disk)"));
        crashes++;
        if (reached > 0 && reached < unsynced) {
            tornPartial++;
        }
        r.stop();
        for (SimGroup g : r.groups) {
            for (Entry e : g.crash(kept[g.group])) {
                sim.oracle(g.group).accepted(r.id, e); // on the disk: as accepted as a synced entry, answered or not
            }
        }
        sim.schedule(sim.now + 200 + sim.rnd.nextInt(2000), () -> restart(r));
    }

    private void restart(SimReplica r) {
        if (!r.up()) {
            sim.trace("restart r" + r.id);
            r.start(sim.now);
            if (sim.healthy) {
                // Each peer's link to it was closed by the crash and reconnects after that peer's
                // backoff; until then what the peer sends to it is dropped.
                for (SimReplica p : sim.replicas) {
                    if (p != r) {
                        long lag = sim.rnd.nextInt((int) (2 * Simulation.LEASE_MS));
                        sim.net.downUntil(p.id, r.id, sim.now + lag);
                        sim.trace("link r" + p.id + "->r" + r.id + " up in " + lag + " ms");
                    }
                }
            }
            sim.loop.drain(r);
        }
    }

    void restartOne() {
        for (SimReplica r : sim.replicas) {
            if (!r.up()) {
                restart(r);
                return;
            }
        }
    }

    /** Stops {@code r} (a GC pause, SIGSTOP) for {@code ms}; its clock runs on meanwhile. */
    void pause(SimReplica r, long ms) {
        if (!r.up() || r.paused) {
            return;
        }
        sim.trace("pause r" + r.id + " for " + ms + " ms");
        pauses++;
        if (r.holdsALease(sim.now)) {
            pausedHolders++;
        }
        r.paused = true;
        r.pauseAtPersistMs = 0;
        long token = ++r.pauseToken;
        sim.schedule(sim.now + ms, () -> resume(r, token));
    }

    private void resume(SimReplica r, long token) {
        if (!r.up() || !r.paused || r.pauseToken != token) {
            return; // crashed meanwhile (a crash ends the pause), or already resumed
        }
        sim.trace("resume r" + r.id + " (" + r.inbox.size() + " messages waiting)");
        r.paused = false;
        for (SimGroup g : r.groups) {
            if (g.node.epoch() < sim.checks.maxMasterEpoch[g.group]) {
                resumedDeposed++;
                break;
            }
        }
        List<SimEnvelope> answers = new ArrayList<>(r.held);
        r.held.clear();
        for (SimEnvelope env : answers) {
            sim.loop.send(env);
        }
        sim.loop.drain(r); // the rest of the loop pass it was stopped in
        List<SimEnvelope> waiting = new ArrayList<>(r.inbox);
        r.inbox.clear();
        for (SimEnvelope env : waiting) {
            sim.loop.deliver(env); // queues again if the replica paused (or drops if it crashed) on the way
        }
    }

    /** All links up, no loss or duplication from now on, every replica resumed and restarted. */
    void heal() {
        sim.healed = true;
        sim.net.healAll();
        sim.net.loss = 0;
        sim.net.duplicate = 0;
        sim.net.maxDelay = Math.min(sim.net.maxDelay, 10);
        sim.net.longDelay = 0; // messages already held still arrive late
        for (SimReplica r : sim.replicas) {
            r.crashPoint = SimReplica.CrashPoint.NONE;
            r.pauseAtPersistMs = 0;
            resume(r, r.pauseToken);
            restart(r);
        }
    }
}
