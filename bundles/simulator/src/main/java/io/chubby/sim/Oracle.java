package io.chubby.sim;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Global knowledge no replica has: which value each slot has chosen, computed from every durable
 * acceptance (a value is chosen once a majority durably accepted it in the same ballot), and the
 * state checksum every replica reached at each applied index. Throws {@link SimulationFailure}
 * when Paxos safety breaks. One oracle watches one Paxos group; an oracle of group g >= 0 also
 * fails when a value tagged with another group ({@link GroupTags}) is chosen in g (cross-talk).
 */
final class Oracle {
    private final int quorum;
    /** The group watched, or -1: values carry no group tag (the whole-cell simulation). */
    private final int group;
    /** slot -> ballot -> (acceptor -> value accepted). */
    private final Map<Long, Map<Ballot, Map<Integer, Entry>>> accepted = new HashMap<>();
    private final TreeMap<Long, Entry> chosen = new TreeMap<>();
    private final Map<Long, Long> checksums = new HashMap<>();

    Oracle(int quorum) {
        this(quorum, -1);
    }

    Oracle(int quorum, int group) {
        this.quorum = quorum;
        this.group = group;
    }

    /** Replica {@code r} durably accepted {@code e}. */
    void accepted(int r, Entry e) {
        Map<Integer, Entry> votes = accepted.computeIfAbsent(e.index(), k -> new HashMap<>())
                .computeIfAbsent(e.ballot(), k -> new HashMap<>());
        for (Entry other : votes.values()) {
            if (!other.sameValue(e)) {
                throw failure("two values proposed in ballot " + e.ballot() + " at slot " + e.index());
            }
        }
        votes.put(r, e);
        if (votes.size() >= quorum) {
            Entry c = chosen.get(e.index());
            if (c == null) {
                checkGroup(e);
                chosen.put(e.index(), e);
            } else if (!c.sameValue(e)) {
                throw failure("slot " + e.index() + " chose two values: " + c + " and " + e);
            }
        }
    }

    /** Every command chosen in this group was proposed in it (no-ops are the group's own core's). */
    private void checkGroup(Entry e) {
        if (group < 0 || e.isNoop()) {
            return;
        }
        int proposedIn = GroupTags.groupOf(e.value());
        if (proposedIn != group) {
            throw failure("cross-talk: slot " + e.index() + " of group " + group + " chose a value proposed in "
                    + (proposedIn < 0 ? "no group" : "group " + proposedIn) + ": " + e);
        }
    }

    /** Replica {@code r} applied {@code e}: it must be the chosen value. */
    void applied(int r, Entry e) {
        Entry c = chosen.get(e.index());
        if (c == null) {
            throw failure("replica " + r + " applied slot " + e.index() + " which is not chosen");
        }
        if (!c.sameValue(e)) {
            throw failure("replica " + r + " applied " + e + " but chosen is " + c);
        }
    }

    /** Replica {@code r} reached {@code checksum} at applied index {@code index}. */
    void state(int r, long index, long checksum) {
        Long prev = checksums.putIfAbsent(index, checksum);
        if (prev != null && prev != checksum) {
            throw failure("replica " + r + " state diverged at index " + index);
        }
    }

    /** The highest slot whose chosen value was proposed in an epoch below {@code epoch}; 0 if none. */
    long maxChosenBefore(long epoch) {
        for (Entry e : chosen.descendingMap().values()) {
            if (e.epoch() < epoch) {
                return e.index();
            }
        }
        return 0;
    }

    int chosenCount() {
        return chosen.size();
    }

    private SimulationFailure failure(String what) {
        return new SimulationFailure(group < 0 ? what : "group " + group + ": " + what);
    }
}
