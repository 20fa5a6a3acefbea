package io.chubby.mirror.internal.plan;

import java.util.Collection;
import java.util.Set;

/**
 * Refuses mirrors that would feed on themselves or fight each other: a source that is this cell
 * (one of its addresses is one of this cell's client addresses) with subtrees that overlap, and a
 * target that overlaps the target of another mirror in this cell.
 */
public final class LoopGuard {

    private LoopGuard() {
    }

    /** Null when the mirror may run, otherwise why not. */
    public static String refusal(Subtrees subtrees, Collection<String> sourceAddresses, Set<String> ownAddresses,
                                 Collection<Subtrees> otherMirrors) {
        boolean sameCell = sourceAddresses.stream().anyMatch(ownAddresses::contains);
        String source = subtrees.source().toString();
        String target = subtrees.target().toString();
        if (sameCell && (Subtrees.isWithin(source, target) || Subtrees.isWithin(target, source))) {
            return "loop: the source " + source + " is in this cell and overlaps the target " + target;
        }
        for (Subtrees other : otherMirrors) {
            String t = other.target().toString();
            if (Subtrees.isWithin(t, target) || Subtrees.isWithin(target, t)) {
                return "the target " + target + " overlaps the target " + t + " of another mirror";
            }
        }
        return null;
    }
}
