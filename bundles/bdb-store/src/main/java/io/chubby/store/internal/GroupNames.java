package io.chubby.store.internal;

import io.chubby.api.PartitionHash;

/**
 * JE database names per Paxos group: group 0 keeps the names of a store written before groups
 * existed ({@code log.meta}, {@code log.entries}, {@code state.meta}, {@code state.table.<name>});
 * group g >= 1 prefixes them with {@code g<g>.} ({@code g2.log.entries}, {@code g2.state.table.<name>}),
 * which never starts with {@code state.table.}, so group 0's table scan never sees another group's tables.
 */
final class GroupNames {
    private GroupNames() {
    }

    /** The prefix of every database name of {@code group}: empty for group 0, {@code g<group>.} otherwise. */
    static String prefix(int group) {
        check(group);
        return group == 0 ? "" : "g" + group + ".";
    }

    /** Refuses a group outside 0..4095 (there are at most as many partitions as slots). */
    static void check(int group) {
        if (group < 0 || group >= PartitionHash.SLOTS) {
            throw new IllegalArgumentException("group must be in 0.." + (PartitionHash.SLOTS - 1) + ", got " + group);
        }
    }
}
