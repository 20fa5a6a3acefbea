package io.chubby.mirror.internal.plan;

/**
 * When a reconciliation may remove nodes from the target (the etcd and consul-replicate lessons):
 * never without an authoritative source listing, and at most {@code cap} nodes in one pass unless
 * the source root is confirmed: it exists and its instance number is {@code confirmedRootInstance}
 * (the root the mirror last converged with, or one the operator confirmed with
 * {@code mirror:confirm}). A root deleted and re-created, an empty cell answering after a
 * restore, or a cell reached by mistake all have another instance.
 */
public record RemovalGuard(int cap, long confirmedRootInstance) {

    public RemovalGuard {
        if (cap < 0) {
            throw new IllegalArgumentException("removal cap must be >= 0, was " + cap);
        }
    }

    /** Null when {@code removals} nodes may go, otherwise why not. */
    public String refusal(Listing source, int removals) {
        if (removals == 0) {
            return null;
        }
        if (!source.authoritative()) {
            return "the source listing is not authoritative";
        }
        boolean confirmed = source.rootInstance() != 0 && source.rootInstance() == confirmedRootInstance;
        if (removals > cap && !confirmed) {
            return removals + " removals exceed the cap of " + cap + " and the source root (instance "
                    + source.rootInstance() + ") is not confirmed";
        }
        return null;
    }
}
