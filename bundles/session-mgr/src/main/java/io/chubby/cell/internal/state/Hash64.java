package io.chubby.cell.internal.state;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit hashing: FNV-1a for content checksums, and a mixed per-record hash whose wrapping sum
 * over all records is the state checksum (a multiset hash, so it can be updated incrementally
 * on every put and delete, independent of the order records were written in).
 */
public final class Hash64 {
    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Hash64() {
    }

    /** FNV-1a 64 of the bytes. */
    public static long fnv1a(byte[] data) {
        return fnv1a(OFFSET, data);
    }

    static long fnv1a(long h, byte[] data) {
        for (byte b : data) {
            h ^= b & 0xff;
            h *= PRIME;
        }
        return h;
    }

    private static long fnvLong(long h, long v) {
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (8 * i)) & 0xff;
            h *= PRIME;
        }
        return h;
    }

    /** Finaliser of SplitMix64: spreads FNV's weak high bits so sums of record hashes do not cancel. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Hash of one (table, key, value) record; lengths are included so field boundaries count. */
    public static long record(String table, byte[] key, byte[] value) {
        byte[] t = table.getBytes(StandardCharsets.UTF_8);
        long h = fnvLong(OFFSET, t.length);
        h = fnv1a(h, t);
        h = fnvLong(h, key.length);
        h = fnv1a(h, key);
        h = fnvLong(h, value.length);
        h = fnv1a(h, value);
        return mix(h);
    }
}
