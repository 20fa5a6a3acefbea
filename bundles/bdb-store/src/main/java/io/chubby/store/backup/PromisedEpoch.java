package io.chubby.store.backup;

/**
 * The epoch of the ballot consensus-paxos stores as its promise (log meta key
 * {@value #PROMISED_KEY}, a protobuf {@code chubby.peer.v1.Ballot}: {@code uint64 round = 1;
 * uint32 replica = 2;}): {@code round << 8 | replica}, as {@code Ballot.epoch()} computes it. Decoded
 * here by hand, so the store does not depend on the protocol bundle; unknown fields are skipped.
 */
final class PromisedEpoch {
    static final String PROMISED_KEY = "paxos.promised";

    private PromisedEpoch() {
    }

    /** The epoch of an encoded ballot; 0 for null (nothing promised). */
    static long of(byte[] ballot) {
        if (ballot == null) {
            return 0;
        }
        long round = 0;
        long replica = 0;
        int[] pos = {0};
        while (pos[0] < ballot.length) {
            long tag = varint(ballot, pos);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire != 0) {
                throw new IllegalArgumentException("promised ballot: field " + field + " has wire type " + wire);
            }
            long value = varint(ballot, pos);
            if (field == 1) {
                round = value;
            } else if (field == 2) {
                replica = value;
            }
        }
        return (round << 8) | (replica & 0xff);
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                throw new IllegalArgumentException("promised ballot: truncated varint");
            }
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("promised ballot: varint too long");
    }
}
