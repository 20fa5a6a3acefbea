package io.chubby.paxos.internal;

import io.chubby.paxos.core.Role;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The planned moves of mastership away from a replica's {@link GroupHost} (issue 19): before a
 * group's state machine leaves or the framework stops, each group this replica serves is handed to
 * its {@link MasterPlacement#successor} and the caller waits briefly for the step-down; an
 * operator's {@link #transfer} hands one group to a named or the successor replica. Each is the
 * core's one handoff ({@link PaxosGroup#handOff}), started on the loop ({@link GroupHost#onLoop})
 * and waited for on the caller's thread. (Moves the placement decides itself start in the loop.)
 * Thread-safe.
 */
final class Handoffs {
    private static final Logger log = LoggerFactory.getLogger(Handoffs.class);

    private final GroupHost host;
    private final MasterPlacement placement;
    private final int self;
    private final AtomicLong handedOverBeforeLeaving = new AtomicLong();

    Handoffs(GroupHost host, MasterPlacement placement) {
        this.host = host;
        this.placement = placement;
        this.self = host.settings().replicaId();
    }

    /** Groups this replica stepped down from by a handoff before their state machine left. */
    long handedOverBeforeLeaving() {
        return handedOverBeforeLeaving.get();
    }

    /**
     * Before {@code g}'s state machine leaves while this replica serves g (session-mgr stopping, a
     * bundle update, a group closed): {@link #handOver} of g alone.
     */
    void handOverBeforeLeaving(PaxosGroup g) {
        handOver(List.of(g));
    }

    /**
     * Before this replica stops (the framework is stopping: SIGTERM): {@link #handOver} of every
     * group it serves, while its client connections and state machines are still there, so calls
     * in flight are answered and new ones are sent to the new masters.
     */
    void handOverAll() {
        handOver(host.openGroups());
    }

    /**
     * Hands each of {@code leaving} that this replica serves to its {@link MasterPlacement#successor}
     * (a group already handing over, e.g. a placement move, is waited for too) and waits: until this
     * replica stepped down from them, at most the read grace plus a renew period (a target that has
     * not taken the handoff by then is likely gone: the caller leaves and the cell fails over); then
     * until the proposals of this replica settled, at most a lease (the target re-proposes them;
     * see {@link PaxosGroup#waiting}). So a planned stop costs the cell a handoff instead of a lease
     * wait and an election. Returns at once for groups not served here or with no caught-up
     * replica, and on the loop thread itself (a listener unregistering: the handoff needs the loop).
     */
    private void handOver(List<PaxosGroup> leaving) {
        if (host.onLoopThread() || !host.running()) {
            return;
        }
        long start = host.now();
        Map<PaxosGroup, Integer> targets = new java.util.LinkedHashMap<>();
        try {
            host.onLoop(() -> {
                if (!host.running()) {
                    return; // run by the loop's clean-up after it stopped: nothing to hand over
                }
                for (PaxosGroup g : leaving) {
                    MasterPlacement.GroupFacts f = g.facts(host.now());
                    if (f != null && f.masterHere() && f.handingOff()) {
                        targets.put(g, -1); // a move already under way: wait for it as well
                        continue;
                    }
                    int to = f == null || !f.masterHere() ? 0 : placement.successor(f);
                    if (to != 0 && g.handOff(to, false, host.now())) {
                        targets.put(g, to);
                    }
                }
            });
        } catch (IllegalStateException stopped) {
            return; // the loop stopped meanwhile (or did not answer): nothing to wait for
        }
        long stepDownBy = start + PaxosGroup.READ_GRACE_MS + host.settings().renewMs();
        long settleBy = stepDownBy + host.settings().leaseMs();
        while (host.running()) {
            long now = host.now();
            boolean mastering = targets.keySet().stream().anyMatch(g -> g.view().role() == Role.MASTER);
            boolean unsettled = targets.keySet().stream().anyMatch(g -> g.waiting() > 0);
            if ((!mastering && !unsettled) || (mastering && now >= stepDownBy) || now >= settleBy) {
                break;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        targets.forEach((g, to) -> {
            boolean done = g.view().role() != Role.MASTER;
            if (done) {
                handedOverBeforeLeaving.incrementAndGet();
            }
            log.info("handed over before leaving replica={} group={} to={} steppedDown={} unsettledProposals={} "
                    + "tookMs={}", self, g.id(), to == -1 ? "(a move under way)" : to, done, g.waiting(),
                    host.now() - start);
        });
    }

    /**
     * An operator's transfer of group {@code group}'s mastership from this replica (CLI {@code
     * chubby master transfer}): to {@code to}, or with {@code to == 0} to the group's
     * {@link MasterPlacement#successor}. A transfer to a named replica is pinned (placement leaves
     * it there). Waits until the target serves (as this replica learns it) or the handoff was
     * given up (after L). Returns what happened in one line.
     *
     * @throws IllegalArgumentException the group is not open here, or {@code to} is not another member
     * @throws IllegalStateException    this replica does not serve the group, no replica is caught
     *                                  up, or the target did not take over
     */
    String transfer(int group, int to) {
        PaxosGroup g = host.openGroup(group);
        if (to != 0 && (to == self || g.members().stream().noneMatch(m -> m.id() == to))) {
            throw new IllegalArgumentException("replica " + to + " is not another member of the cell "
                    + g.members().stream().map(m -> m.id()).toList());
        }
        long start = host.now();
        long[] epoch = new long[1];
        int[] target = new int[1];
        String[] refusal = new String[1];
        host.onLoop(() -> {
            MasterPlacement.GroupFacts f = host.running() ? g.facts(host.now()) : null;
            if (f == null || !f.masterHere() || !g.view().serving()) {
                refusal[0] = "replica " + self + " does not serve group " + group + " (its master is "
                        + (f == null ? 0 : f.masterId()) + "): ask the master";
                return;
            }
            target[0] = to != 0 ? to : placement.successor(f);
            epoch[0] = g.view().epoch();
            if (target[0] == 0) {
                refusal[0] = "no other replica of group " + group + " is caught up: nothing to transfer to";
            } else if (!g.handOff(target[0], to != 0, host.now())) {
                refusal[0] = "replica " + self + " could not start a handoff of group " + group
                        + " (one runs, or it stopped serving)";
            }
        });
        if (refusal[0] != null) {
            throw new IllegalStateException(refusal[0]);
        }
        long until = start + PaxosGroup.READ_GRACE_MS + host.settings().leaseMs() + host.settings().renewMs();
        while (host.running() && host.now() < until) {
            ReplicaView v = g.view();
            if (v.role() != Role.MASTER && v.masterId() == target[0] && v.epoch() > epoch[0]) {
                return "group " + group + ": mastership moved from replica " + self + " to replica " + target[0]
                        + " in " + (host.now() - start) + " ms (epoch " + epoch[0] + " -> " + v.epoch() + ")";
            }
            if (v.serving() && host.now() - start > PaxosGroup.READ_GRACE_MS + host.settings().leaseMs()) {
                break; // given up: we serve again
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("group " + group + ": replica " + target[0] + " did not take over within "
                + (host.now() - start) + " ms (not caught up, or cut off); replica " + self + " "
                + (g.view().serving() ? "serves again" : "does not serve now"));
    }
}
