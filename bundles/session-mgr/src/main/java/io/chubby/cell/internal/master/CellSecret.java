package io.chubby.cell.internal.master;

import java.util.Random;
import java.util.function.Supplier;

/**
 * Where the secret of a group's {@code InitCell} comes from: group 0's first master makes it
 * ({@link #random}); the first master of a group g >= 1 copies group 0's as its replica has
 * applied it ({@link #copiedFrom}), so that one secret signs handles and sequencers in every group
 * (docs/PARTITIONING.md section 2).
 */
public interface CellSecret {
    int BYTES = 32;

    /** The Paxos group the InitCell is for. */
    int group();

    /** The secret to propose, or null while none is available (group 0 not applied here yet: try again later). */
    byte[] next();

    /** Group 0's: fresh random bytes each time (a duplicate InitCell is a no-op). */
    static CellSecret random(Random random) {
        return new CellSecret() {
            @Override
            public int group() {
                return 0;
            }

            @Override
            public byte[] next() {
                byte[] secret = new byte[BYTES];
                random.nextBytes(secret);
                return secret;
            }
        };
    }

    /** Group {@code group}'s (>= 1): group 0's secret as this replica has applied it, null before. */
    static CellSecret copiedFrom(int group, Supplier<byte[]> groupZeroSecret) {
        if (group < 1) {
            throw new IllegalArgumentException("group " + group + " makes no secret of its own: use random");
        }
        return new CellSecret() {
            @Override
            public int group() {
                return group;
            }

            @Override
            public byte[] next() {
                return groupZeroSecret.get();
            }
        };
    }
}
