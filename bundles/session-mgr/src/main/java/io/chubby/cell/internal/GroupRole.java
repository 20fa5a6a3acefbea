package io.chubby.cell.internal;

import io.chubby.cell.internal.calls.Partitioning;
import io.chubby.cell.internal.state.Partitions;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Which Paxos group a {@link CellServer} serves, and what ties it to the other groups of its
 * {@link CellHost}: group 0 tells the host when the partitions record appears (applied, or
 * loaded with the state); a group >= 1 takes its InitCell secret from group 0.
 *
 * @param group              the Paxos group
 * @param groupZeroSecret    group 0's secret as this replica applied it (null until then); null for group 0
 * @param partitionsRecorded told, on the apply thread, of group 0's partitions record; never null
 * @param layout             for a group >= 1, group 0's record the group was opened from (anchors and
 *                           intents depend on it); null for group 0, which reads its own record
 * @param partitioning       the host's view of the partitioned cell (locations, partition of a path)
 */
public record GroupRole(int group, Supplier<byte[]> groupZeroSecret, Consumer<Partitions> partitionsRecorded,
                        Partitions layout, Partitioning partitioning) {
    public GroupRole {
        if (group < 0 || (group == 0) != (groupZeroSecret == null) || partitionsRecorded == null
                || (group == 0) != (layout == null) || partitioning == null) {
            throw new IllegalArgumentException("group 0 makes its secret, every other group copies group 0's");
        }
    }

    /** A cell of one group outside a host (tests, simulation, benchmarks): nobody listens. */
    public static GroupRole alone() {
        return new GroupRole(0, null, p -> { }, null, Partitioning.NONE);
    }

    /** Group 0 of a host, which learns of the partitions record through {@code recorded}. */
    public static GroupRole groupZero(Consumer<Partitions> recorded, Partitioning partitioning) {
        return new GroupRole(0, null, recorded, null, partitioning);
    }

    /** Group {@code group} >= 1 of a host partitioned as {@code layout}. */
    public static GroupRole member(int group, Supplier<byte[]> groupZeroSecret, Partitions layout,
                                   Partitioning partitioning) {
        if (group < 1) {
            throw new IllegalArgumentException("group " + group + " is not a member group");
        }
        return new GroupRole(group, groupZeroSecret, p -> { }, layout, partitioning);
    }
}
