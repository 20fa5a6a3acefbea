package io.chubby.faults;

import java.nio.charset.StandardCharsets;

/**
 * How register values are written to files, and why they are unique. A value is a long: the high
 * 32 bits count increments (a CAS increment adds one to the count it read), the low 32 bits name
 * the write that produced it (client id in 8 bits, that client's sequence number in 24). So no two
 * writes ever write the same value, which makes "content unchanged since my read" (the server's
 * generation CAS) the same as "value unchanged" (the model's value CAS). Files hold the decimal
 * text; an empty file (as created) is the model's absent value (null).
 */
public final class RegisterValues {
    private static final long SEQ_MASK = (1L << 24) - 1;

    private RegisterValues() {
    }

    /** A value no other write writes: count 0, named by (client, seq). */
    public static long fresh(int client, int seq) {
        return name(client, seq);
    }

    /** The value a CAS increment writes after reading {@code seen}. */
    public static long next(Long seen, int client, int seq) {
        long count = seen == null ? 0 : seen >>> 32;
        return ((count + 1) << 32) | name(client, seq);
    }

    /** How many increments the value counts. */
    public static long count(long value) {
        return value >>> 32;
    }

    private static long name(int client, int seq) {
        if (client < 0 || client > 255) {
            throw new IllegalArgumentException("client id must be 0..255, was " + client);
        }
        if ((seq & ~SEQ_MASK) != 0) {
            throw new IllegalArgumentException("sequence number out of range: " + seq);
        }
        return ((long) client << 24) | seq;
    }

    public static byte[] encode(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** The value in a file; null for an empty file. */
    public static Long decode(byte[] data) {
        if (data.length == 0) {
            return null;
        }
        return Long.parseLong(new String(data, StandardCharsets.US_ASCII));
    }
}
