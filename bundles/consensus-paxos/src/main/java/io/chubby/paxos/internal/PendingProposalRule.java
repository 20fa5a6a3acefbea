package io.chubby.paxos.internal;

/**
 * Whether a group's pending proposals fail now, with NOT_MASTER (which session-mgr reports as
 * "outcome unknown"), after the loop published its view. The one rule of the replica loop
 * ({@code PaxosGroup.publish}) and of the whole-cell simulator's copy of that loop, so both fail
 * (and keep) exactly the same proposals. Pure. Public (the package stays private to the bundle)
 * for the simulator.
 *
 * <p>A lapse at the same epoch keeps them (CORE-API.md "A lapse at the same epoch keeps its
 * proposals"): the replica stopped serving, but its Paxos role is still MASTER in the ballot it
 * proposed them in, so they are in the log under that ballot and settle as applied entries do
 * ({@link ProposalFutures#applied}: ours only if the entry carries the epoch it was proposed in).
 * They fail once the role stops being MASTER (a lapsed master steps down one lease later), when
 * the epoch changed, and (elsewhere) when the replica stops.
 */
public final class PendingProposalRule {
    private PendingProposalRule() {
    }

    /**
     * Whether the loss of serving just reported is a lapse at the same epoch that keeps the
     * pending proposals.
     *
     * @param lost      the tracker just reported that this replica stopped serving
     * @param master    the node's Paxos role is MASTER now
     * @param sameEpoch the node's epoch now is the one it served in until the loss
     */
    public static boolean keptAcrossLapse(boolean lost, boolean master, boolean sameEpoch) {
        return lost && master && sameEpoch;
    }

    /**
     * Whether to fail every pending proposal now.
     *
     * @param lost        the tracker just reported that this replica stopped serving
     * @param master      the node's Paxos role is MASTER now
     * @param sameEpoch   the node's epoch now is the one it served in until the loss (read when
     *                    {@code lost})
     * @param handingOver a handoff (or a change removing this master) runs: what it proposed
     *                    commits through the target
     * @param keeping     the futures wait after a handoff stepped this replica down
     * @param pending     how many proposals wait
     */
    public static boolean failNow(boolean lost, boolean master, boolean sameEpoch, boolean handingOver,
                                  boolean keeping, int pending) {
        if (keeping) {
            return false;
        }
        if (!master) {
            return pending > 0 || (lost && !handingOver);
        }
        return lost && !handingOver && !sameEpoch; // still MASTER: a lapse at the same epoch keeps them
    }
}
