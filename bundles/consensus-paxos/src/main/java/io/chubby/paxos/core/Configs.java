package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configurations of one replica's log (CORE-API.md "Changing the members"): the base one,
 * governing the slot after the commit index (known chosen), and the configuration entries above
 * the commit index, by index. Kept in step with every write to the log and every advance of the
 * commit index. Owned by the node's thread.
 */
final class Configs {
    private Configuration base;
    private final TreeMap<Long, Configuration> above = new TreeMap<>();
    /** Changes whenever {@link #inPlay} may have changed (for caches of what depends on it). */
    private int version;

    Configs(Configuration base) {
        this.base = base;
    }

    /** The entry {@code e} was written at its index (replacing whatever was there). */
    void written(Entry e, long commitIndex) {
        if (e.index() <= commitIndex) {
            return;
        }
        Configuration c = Configuration.decode(e.value());
        if (c != null) {
            above.put(e.index(), c);
            version++;
        } else if (above.remove(e.index()) != null) {
            version++;
        }
    }

    /** Every slot up to {@code commitIndex} is chosen: entries at or below it become the base. */
    void committed(long commitIndex) {
        while (!above.isEmpty() && above.firstKey() <= commitIndex) {
            base = above.pollFirstEntry().getValue();
            version++;
        }
    }

    /**
     * A snapshot at {@code index} replaced the log up to it; {@code atSnapshot} is the configuration
     * it recorded (null: the snapshot predates membership changes, so the last one we know at or
     * below {@code index} stands).
     */
    void snapshot(long index, Configuration atSnapshot) {
        // Our copies of entries at or below the snapshot's index were never known chosen: they may
        // be stale values, so they are dropped, never promoted to the base (review, problem 1).
        if (above.headMap(index, true).size() > 0) {
            above.headMap(index, true).clear();
            version++;
        }
        if (atSnapshot != null && !atSnapshot.equals(base)) {
            base = atSnapshot;
            version++;
        }
    }

    int version() {
        return version;
    }

    Configuration base() {
        return base;
    }

    /** The configuration of the highest configuration entry in the log, the base if none. */
    Configuration latest() {
        return above.isEmpty() ? base : above.lastEntry().getValue();
    }

    /** True while a configuration entry above the commit index is in the log. */
    boolean changing() {
        return !above.isEmpty();
    }

    /** The configuration governing {@code slot}: the last configuration entry below it, else the base. */
    Configuration governing(long slot) {
        Map.Entry<Long, Configuration> e = above.lowerEntry(slot);
        return e == null ? base : e.getValue();
    }

    /** Configuration entries above the commit index, by index. */
    TreeMap<Long, Configuration> above() {
        return above;
    }

    /** The base and every configuration above it: whose majorities a master's lease needs. */
    List<Configuration> inPlay() {
        List<Configuration> out = new ArrayList<>();
        out.add(base);
        out.addAll(above.values());
        return out;
    }

    /** Every member of every configuration in play, ascending. */
    Collection<Integer> everyone() {
        TreeSet<Integer> all = new TreeSet<>(base.members());
        for (Configuration c : above.values()) {
            all.addAll(c.members());
        }
        return all;
    }

    /** Whether {@code replica} may campaign or back a campaign: a member of the base or the latest configuration. */
    boolean voter(int replica) {
        // A joining replica (no base yet) cannot finish a phase 1 (it needs a majority of its empty
        // base): it would only disturb others' elections (review of the rule, problem 4).
        return base.size() > 0 && (base.contains(replica) || latest().contains(replica));
    }
}
