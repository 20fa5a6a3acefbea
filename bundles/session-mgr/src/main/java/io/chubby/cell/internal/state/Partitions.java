package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * How the cell is partitioned, as group 0 records it ({@code meta} key {@code partitions}, written
 * once by {@link Command.SetPartitions}): N groups, the hash directories go through and its slot
 * count. A cell without the record is partitioned one way ({@link #ONE}).
 */
public record Partitions(int count, String hashName, int slots) {
    /** A cell that recorded nothing: one group, today's cell. */
    public static final Partitions ONE = new Partitions(1, io.chubby.api.PartitionHash.NAME,
            io.chubby.api.PartitionHash.SLOTS);

    /** Whether the cell has more than one group (N = 1 is exactly today's cell: no anchors, no intents). */
    public boolean partitioned() {
        return count > 1;
    }

    /** H of directory {@code dir}: the group holding its children and its anchor. */
    public int partitionOfChildren(io.chubby.api.NodePath dir) {
        return io.chubby.api.PartitionHash.slotOf(dir) % count;
    }

    /** C of node {@code node}: the group holding the node itself (the root lives in group 0). */
    public int partitionOf(io.chubby.api.NodePath node) {
        return node.isRoot() ? 0 : partitionOfChildren(node.parent());
    }

    /** Whether directory {@code dir}'s node and its children live in different groups (C != H). */
    public boolean crossesGroups(io.chubby.api.NodePath dir) {
        return partitioned() && partitionOf(dir) != partitionOfChildren(dir);
    }

    byte[] encode() {
        return new Codec.Out().u8(1).i32(count).str(hashName).i32(slots).toBytes();
    }

    static Partitions decode(byte[] value) {
        Codec.In in = new Codec.In(value, ErrorCode.INTERNAL, "partitions");
        in.u8();
        Partitions p = new Partitions(in.i32(), in.str(), in.i32());
        in.end();
        return p;
    }
}
