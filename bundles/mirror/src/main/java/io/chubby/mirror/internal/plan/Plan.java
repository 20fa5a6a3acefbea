package io.chubby.mirror.internal.plan;

import java.util.List;

/**
 * What a reconciliation pass will do: {@code actions} in order (removals of nodes whose kind
 * changed, then creations and copies parents first, then removals of extra nodes), and what it
 * withheld: {@code withheldRemovals} nodes the target has and the source does not, left in place
 * for {@code withheldReason} (no authoritative listing, or more than the cap without a confirmed
 * source root).
 */
public record Plan(List<MirrorAction> actions, int withheldRemovals, String withheldReason) {

    public Plan {
        actions = List.copyOf(actions);
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }

    /** Nodes removed by the plan's Remove actions (a directory counts with everything below it). */
    public int removedNodes() {
        int n = 0;
        for (MirrorAction a : actions) {
            if (a instanceof MirrorAction.Remove r) {
                n += r.nodes();
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return actions.size() + " action(s), " + removedNodes() + " node(s) removed"
                + (withheldRemovals == 0 ? "" : ", " + withheldRemovals + " removal(s) withheld: " + withheldReason);
    }
}
