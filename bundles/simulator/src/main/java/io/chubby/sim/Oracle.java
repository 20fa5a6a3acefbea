package io.chubby.sim;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Configuration;
import java.util.ArrayList;
import io.chubby.paxos.core.Entry;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Global knowledge no replica has: which value each slot has chosen, computed from every durable
 * acceptance (a value is chosen once a majority of the configuration governing its slot durably
 * accepted it in the same ballot; configurations change through chosen configuration entries), and the
 * state checksum every replica reached at each applied index. Throws {@link SimulationFailure}
 * when Paxos safety breaks. One oracle watches one Paxos group; an oracle of group g >= 0 also
 * fails when a value tagged with another group ({@link GroupTags}) is chosen in g (cross-talk).
 */
final class Oracle {
    /** The configuration before any configuration entry (CORE-API.md "Changing the members"). */
    private final Configuration initial;
    /** The group watched, or -1: values carry no group tag (the whole-cell simulation). */
    private final int group;
    /** slot -> ballot -> (acceptor -> value accepted). */
    private final TreeMap<Long, Map<Ballot, Map<Integer, Entry>>> accepted = new TreeMap<>();
    private final TreeMap<Long, Entry> chosen = new TreeMap<>();
    /** The chosen configuration entries, by index: the configuration governing slot s is the last one below s. */
    private final TreeMap<Long, Configuration> chain = new TreeMap<>();
    /** Slot -> a replica that applied it (a slot applied must stay chosen). */
    private final Map<Long, Integer> appliedBy = new HashMap<>();
    private final Map<Long, Long> checksums = new HashMap<>();

    Oracle(Configuration initial) {
        this(initial, -1);
    }

    Oracle(Configuration initial, int group) {
        this.initial = initial;
        this.group = group;
    }

    /**
     * Replica {@code r} durably accepted {@code e}. A value is chosen at slot s once a majority of
     * the configuration governing s (by the chosen configuration entries below s) accepted it in
     * one ballot. When a slot's decision changes the chain of configurations, every slot above it
     * is decided again under the new chain: a slot that no longer has a majority of its governing
     * configuration is not chosen after all, which is a failure only if a replica applied it.
     */
    void accepted(int r, Entry e) {
        Map<Integer, Entry> votes = accepted.computeIfAbsent(e.index(), k -> new HashMap<>())
                .computeIfAbsent(e.ballot(), k -> new HashMap<>());
        for (Entry other : votes.values()) {
            if (!other.sameValue(e)) {
                throw failure("two values proposed in ballot " + e.ballot() + " at slot " + e.index());
            }
        }
        votes.put(r, e);
        if (decide(e.index())) {
            for (long slot : new ArrayList<>(accepted.tailMap(e.index(), false).keySet())) {
                decide(slot);
            }
        }
    }

    /** Decides slot {@code s} again; true when that changed the chain of configurations. */
    private boolean decide(long s) {
        Configuration governing = governing(s);
        Entry now = null;
        for (Map<Integer, Entry> votes : accepted.getOrDefault(s, Map.of()).values()) {
            if (!governing.majorityIn(votes.keySet())) {
                continue;
            }
            Entry v = votes.values().iterator().next();
            if (now != null && !now.sameValue(v)) {
                throw failure("slot " + s + " chose two values under " + governing + ": " + now + " and " + v);
            }
            now = now == null ? v : now;
        }
        Entry before = chosen.get(s);
        if (now == null && before != null) {
            Integer by = appliedBy.get(s);
            if (by != null) {
                throw failure("replica " + by + " applied slot " + s + " (" + before + ") which no majority of "
                        + governing + ", the configuration governing it, accepted");
            }
            chosen.remove(s);
        } else if (now != null && before != null && !before.sameValue(now)) {
            throw failure("slot " + s + " chose two values: " + before + " and " + now);
        } else if (now != null && before == null) {
            checkGroup(now);
            chosen.put(s, now);
        }
        Configuration c = now == null ? null : Configuration.decode(now.value());
        Configuration was = chain.get(s);
        if (java.util.Objects.equals(c, was)) {
            return false;
        }
        if (c == null) {
            chain.remove(s);
        } else {
            chain.put(s, c);
        }
        return true;
    }

    /** The configuration governing {@code slot}: the last chosen configuration entry below it, else the initial one. */
    Configuration governing(long slot) {
        Map.Entry<Long, Configuration> e = chain.lowerEntry(slot);
        return e == null ? initial : e.getValue();
    }

    /** The newest chosen configuration (the initial one if none was chosen). */
    Configuration configuration() {
        return chain.isEmpty() ? initial : chain.lastEntry().getValue();
    }

    /** How many configuration entries were chosen. */
    int configurationsChosen() {
        return chain.size();
    }

    /** Every command chosen in this group was proposed in it (no-ops are the group's own core's). */
    private void checkGroup(Entry e) {
        if (group < 0 || e.isNoop() || Configuration.isConfiguration(e.value())) {
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
        appliedBy.putIfAbsent(e.index(), r);
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
