package io.chubby.sim;

import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import java.util.concurrent.CompletableFuture;

/**
 * The channel between groups' masters ({@code CrossCalls}) in a simulated cell: a step goes over
 * the virtual network (lost, duplicated, delayed, cut like peer messages) to the replica that
 * believes it masters the target group, which proposes it there ({@code CellHost.crossStep}); the
 * applied result comes back the same way. An answer that does not come within
 * {@link #TIMEOUT_MS} fails the call (the sender re-sends at a later timer step), as does one that
 * finds the sender restarted. Runs on the simulation's single thread.
 */
final class SimCrossCalls {
    /** How long a replica waits for the answer to a cross-group step before it counts the call failed. */
    static final long TIMEOUT_MS = 1_000;

    private final CellSimulation sim;
    private long sent;

    SimCrossCalls(CellSimulation sim) {
        this.sim = sim;
    }

    /** Cross-group steps sent so far. */
    long sent() {
        return sent;
    }

    /** The channel of replica {@code from}'s incarnation {@code incarnation}. */
    CrossCalls from(SimCellReplica from, int incarnation) {
        return (g, step) -> {
            CompletableFuture<Result> answer = new CompletableFuture<>();
            sent++;
            SimCellReplica target = null;
            for (SimCellReplica r : sim.replicas) {
                if (r.node(g) != null && r.group(g).consensus != null && r.group(g).consensus.isMaster()) {
                    target = r;
                    break;
                }
            }
            sim.at(sim.now + TIMEOUT_MS, () -> answer.completeExceptionally(
                    new IllegalStateException("no answer from group " + g)));
            if (target == null) {
                return answer;
            }
            SimCellReplica to = target;
            int copies = sim.net.copies(from.id, to.id, sim.now);
            sim.trace("cross r" + from.id + " -> r" + to.id + " g" + g + " " + step + " copies=" + copies);
            for (int i = 0; i < copies; i++) {
                sim.at(sim.now + sim.net.delay(), () -> arrives(from, incarnation, to, to.incarnation, g, step, answer));
            }
            return answer;
        };
    }

    private void arrives(SimCellReplica from, int fromIncarnation, SimCellReplica to, int toIncarnation, int g,
                         Command step, CompletableFuture<Result> answer) {
        if (!to.up() || to.incarnation != toIncarnation || answer.isDone()) {
            return;
        }
        if (to.paused()) {
            sim.at(to.pausedUntil, () -> arrives(from, fromIncarnation, to, toIncarnation, g, step, answer));
            return;
        }
        to.host.crossStep(g, step).whenComplete((result, error) -> {
            if (error != null || sim.net.copies(to.id, from.id, sim.now) == 0) {
                return; // refused (not the master any more) or the answer lost: the sender's timeout fails the call
            }
            sim.at(sim.now + sim.net.delay(), () -> answered(from, fromIncarnation, result, answer));
        });
    }

    private void answered(SimCellReplica from, int fromIncarnation, Result result, CompletableFuture<Result> answer) {
        if (!from.up() || from.incarnation != fromIncarnation) {
            answer.completeExceptionally(new IllegalStateException("the sender restarted"));
            return;
        }
        if (from.paused()) {
            sim.at(from.pausedUntil, () -> answered(from, fromIncarnation, result, answer));
            return;
        }
        answer.complete(result);
    }
}
