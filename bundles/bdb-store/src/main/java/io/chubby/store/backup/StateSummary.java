package io.chubby.store.backup;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a JE environment holds, read from it: every group's applied index and checksum (by group,
 * ascending), and the epoch of the highest ballot group 0 had promised (0 when none).
 */
public record StateSummary(long epoch, SortedMap<Integer, GroupState> groups) {
    public StateSummary {
        groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    }

    public StateSummary(long epoch, Map<Integer, GroupState> groups) {
        this(epoch, new TreeMap<>(groups));
    }

    /** Group 0's state ({@code 0/0} when the store has never applied anything). */
    public GroupState group0() {
        return groups.getOrDefault(0, new GroupState(0, 0));
    }
}
