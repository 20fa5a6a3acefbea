package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A lock sequencer (SPEC section 5): names the lock (full path and node instance), the mode and
 * the lock generation at acquisition. Bytes: {@code u8 'S' (0x53) | u8 version=1 | u8 1, i32 len,
 * UTF-8 full path /ls/<cell>/... | i64 node instance | u8 mode (0 EXCLUSIVE, 1 SHARED) | i64 lock
 * generation | 16 bytes check digits}, the check digits being HMAC-SHA256 (first 16 bytes) of
 * everything before them with the cell secret, as for handles. The leading 'S' keeps handle bytes
 * (which start with 0x01) from ever passing as a sequencer.
 */
public record Sequencer(String path, long instance, int mode, long generation) {
    private static final int MAGIC = 0x53;
    private static final int VERSION = 1;

    public byte[] encode(byte[] secret) {
        byte[] fields = fields();
        byte[] mac = HandleToken.digits(secret, fields);
        byte[] out = Arrays.copyOf(fields, fields.length + HandleToken.DIGITS);
        System.arraycopy(mac, 0, out, fields.length, HandleToken.DIGITS);
        return out;
    }

    private byte[] fields() {
        return new Codec.Out().u8(MAGIC).u8(VERSION).str(path).i64(instance).u8(mode).i64(generation).toBytes();
    }

    /**
     * Decodes and authenticates sequencer bytes. Anything malformed, altered or made without the
     * cell secret fails with INVALID_ARGUMENT whose message starts with "forged"; never anything else.
     */
    public static Sequencer decode(byte[] bytes, byte[] secret) {
        if (secret == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet (no secret)");
        }
        if (bytes == null || bytes.length <= HandleToken.DIGITS + 2) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "forged: sequencer missing or too short");
        }
        byte[] fields = Arrays.copyOf(bytes, bytes.length - HandleToken.DIGITS);
        byte[] given = Arrays.copyOfRange(bytes, bytes.length - HandleToken.DIGITS, bytes.length);
        if (!MessageDigest.isEqual(given, HandleToken.digits(secret, fields))) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                    "forged: sequencer check digits do not match (altered, forged or from another cell)");
        }
        Codec.In in = new Codec.In(fields, ErrorCode.INVALID_ARGUMENT, "sequencer (forged)");
        if (in.u8() != MAGIC || in.u8() != VERSION) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "forged: not a sequencer (bad magic or version)");
        }
        Sequencer q = new Sequencer(in.str(), in.i64(), in.u8(), in.i64());
        in.end();
        if (q.path == null || (q.mode != LockRecord.EXCLUSIVE && q.mode != LockRecord.SHARED)) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "forged: sequencer fields out of range");
        }
        return q;
    }

    /** The stored form (table {@value LockTable#SEQUENCERS}): the fields without check digits. */
    byte[] encodeRecord() {
        return fields();
    }

    static Sequencer decodeRecord(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "sequencer record");
        in.u8();
        in.u8();
        Sequencer q = new Sequencer(in.str(), in.i64(), in.u8(), in.i64());
        in.end();
        return q;
    }

    @Override
    public String toString() {
        return path + "#" + instance + " " + LockRecord.modeName(mode) + " generation " + generation;
    }
}
