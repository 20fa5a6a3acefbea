package io.chubby.mirror.internal.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a source listing with a target listing and plans the writes that make the target equal
 * to the source: missing directories created and files copied (parents first), files whose
 * checksum or size differ copied again, ACL names rewritten where they differ, nodes whose kind
 * changed replaced (a created node carries its ACL names), and nodes the source does not have removed, subject to the
 * {@link RemovalGuard}. Ephemeral source nodes (and anything below them) are not mirrored. The
 * target root itself is never removed as an extra node: it is where the mirror lives.
 */
public final class ReconciliationPlanner {

    private ReconciliationPlanner() {
    }

    public static Plan plan(Listing source, Listing target, RemovalGuard guard) {
        List<String> replaced = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        int removals = 0;
        for (NodeState t : target.nodes().values()) {
            if (underAny(t.relative(), replaced) || underAny(t.relative(), extra)) {
                continue;
            }
            NodeState s = mirrored(source, t.relative());
            if (s == null) {
                if (!t.relative().isEmpty()) {
                    extra.add(t.relative());
                    removals += countBelow(target, t.relative());
                }
            } else if (s.directory() != t.directory()) {
                replaced.add(t.relative());
                removals += countBelow(target, t.relative());
            }
        }
        String refusal = guard.refusal(source, removals);
        List<MirrorAction> actions = new ArrayList<>();
        if (refusal == null) {
            for (String r : replaced) {
                actions.add(new MirrorAction.Remove(r, countBelow(target, r)));
            }
        }
        for (NodeState s : source.nodes().values()) {
            if (mirrored(source, s.relative()) == null || (refusal != null && underAny(s.relative(), replaced))) {
                continue;
            }
            NodeState t = target.nodes().get(s.relative());
            boolean fresh = t == null || s.directory() != t.directory();
            if (fresh) {
                actions.add(s.directory() ? new MirrorAction.MakeDirectory(s.relative(), s)
                        : new MirrorAction.CopyFile(s.relative(), s));
            } else if (!s.sameContents(t)) {
                actions.add(new MirrorAction.CopyFile(s.relative(), s));
            }
            if (!fresh && !s.sameAcls(t)) {
                actions.add(new MirrorAction.SetAcls(s.relative(), s));
            }
        }
        if (refusal == null) {
            for (String r : extra) {
                actions.add(new MirrorAction.Remove(r, countBelow(target, r)));
            }
        }
        return new Plan(actions, refusal == null ? 0 : removals, refusal);
    }

    /** The source node at {@code relative} if it is mirrored (exists, and neither it nor an ancestor is ephemeral). */
    static NodeState mirrored(Listing source, String relative) {
        NodeState s = source.nodes().get(relative);
        if (s == null) {
            return null;
        }
        for (String p = relative; p != null; p = Subtrees.parent(p)) {
            NodeState n = source.nodes().get(p);
            if (n != null && n.ephemeral()) {
                return null;
            }
        }
        return s;
    }

    private static boolean underAny(String relative, List<String> roots) {
        for (String r : roots) {
            if (Subtrees.isWithin(relative, r)) {
                return true;
            }
        }
        return false;
    }

    private static int countBelow(Listing listing, String relative) {
        int n = 0;
        for (Map.Entry<String, NodeState> e : listing.nodes().entrySet()) {
            if (Subtrees.isWithin(e.getKey(), relative)) {
                n++;
            }
        }
        return n;
    }
}
