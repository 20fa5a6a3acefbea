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
