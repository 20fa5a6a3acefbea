package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

/**
 * Hand-written binary codec helpers shared by commands, records, results and handles. The byte
 * layout is part of the replicated log and the stored state: never reorder fields, only append
 * new fields behind a new version byte.
 */
final class Codec {
    private Codec() {
    }

    /**
     * Writer over a growing byte array (big-endian, the layout {@code DataOutputStream} wrote before:
     * the bytes are the same). Allocates only the array and its growth: commands are encoded on the
     * apply and proposal paths of every write.
     */
    static final class Out {
        private byte[] buf = new byte[64];
        private int len;

        private void room(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        Out u8(int v) {
            room(1);
            buf[len++] = (byte) v;
            return this;
        }

        Out i32(int v) {
            room(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Out i64(long v) {
            i32((int) (v >>> 32));
            return i32((int) v);
        }

        Out bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        Out bytes(byte[] v) {
            i32(v.length);
            room(v.length);
            System.arraycopy(v, 0, buf, len, v.length);
            len += v.length;
            return this;
        }

        /** A string that may be null (a flag byte, then UTF-8 bytes). */
        Out str(String v) {
            if (v == null) {
                return u8(0);
            }
            u8(1);
            return bytes(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        byte[] toBytes() {
            return java.util.Arrays.copyOf(buf, len);
        }
    }

    /**
     * Reader over a byte array (big-endian); any malformed input (a length beyond the end, a read
     * past it, trailing bytes at {@link #end}) becomes a ChubbyException with {@code onError}'s code.
     */
    static final class In {
        private final byte[] data;
        private int pos;
        private final ErrorCode onError;
        private final String what;

        In(byte[] data, ErrorCode onError, String what) {
            this.data = data;
            this.onError = onError;
            this.what = what;
        }

        private ChubbyException bad(String why) {
            return new ChubbyException(onError, "malformed " + what + ": " + why);
        }

        private void need(int n) {
            if (n < 0 || n > data.length - pos) {
                throw bad(n < 0 ? "negative length " + n : "length " + n + " exceeds remaining input ("
                        + (data.length - pos) + " bytes)");
            }
        }

        int u8() {
            need(1);
            return data[pos++] & 0xff;
        }

        int i32() {
            need(4);
            int v = ((data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
                    | (data[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long i64() {
            long hi = i32();
            return (hi << 32) | (i32() & 0xffffffffL);
        }

        boolean bool() {
            return u8() != 0;
        }

        byte[] bytes() {
            int n = i32();
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return out;
        }

        String str() {
            if (u8() == 0) {
                return null;
            }
            int n = i32();
            need(n);
            String v = new String(data, pos, n, java.nio.charset.StandardCharsets.UTF_8);
            pos += n;
            return v;
        }

        /** Whether unread bytes remain (for fields appended to an existing layout). */
        boolean more() {
            return pos < data.length;
        }

        /** Fails unless every byte was consumed (guards against mismatched layouts). */
        void end() {
            if (pos != data.length) {
                throw bad((data.length - pos) + " trailing bytes");
            }
        }
    }
}
