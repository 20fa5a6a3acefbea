package io.chubby.store.internal;

import com.sleepycat.je.DatabaseEntry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Key encodings shared by the stores. */
final class Bytes {
    private Bytes() {
    }

    /** 8-byte big-endian: for non-negative indexes JE's unsigned bytewise order is numeric order. */
    static byte[] indexKey(long index) {
        byte[] k = new byte[8];
        for (int i = 7; i >= 0; i--) {
            k[i] = (byte) index;
            index >>>= 8;
        }
        return k;
    }

    static long index(byte[] key) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (key[i] & 0xff);
        }
        return v;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The entry's bytes as an array the caller owns. */
    static byte[] of(DatabaseEntry e) {
        byte[] d = e.getData();
        if (d == null) {
            return new byte[0];
        }
        if (e.getOffset() == 0 && e.getSize() == d.length) {
            return d;
        }
        return Arrays.copyOfRange(d, e.getOffset(), e.getOffset() + e.getSize());
    }

    /** The smallest key that sorts after {@code key} (bytewise unsigned): the key plus one 0 byte. */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }
}
