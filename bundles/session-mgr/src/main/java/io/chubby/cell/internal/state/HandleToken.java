package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque handle bytes a client holds: version, session id, handle id, cell-relative path,
 * node instance, mode bits, issuing epoch, then 16 check-digit bytes = HMAC-SHA256 (truncated)
 * over everything before them, keyed with the cell secret. HMAC is deterministic, so any replica
 * with the replicated secret issues and verifies the same bytes.
 */
public record HandleToken(long sessionId, long handleId, String path, long instance, int modeBits, long epoch) {
    private static final int VERSION = 1;
    static final int DIGITS = 16;

    public byte[] encode(byte[] secret) {
        byte[] fields = new Codec.Out().u8(VERSION).i64(sessionId).i64(handleId).str(path).i64(instance)
                .i32(modeBits).i64(epoch).toBytes();
        byte[] mac = digits(secret, fields);
        byte[] out = Arrays.copyOf(fields, fields.length + DIGITS);
        System.arraycopy(mac, 0, out, fields.length, DIGITS);
        return out;
    }

    /** Decodes and authenticates; BAD_HANDLE when malformed, forged or altered. */
    public static HandleToken decode(byte[] bytes, byte[] secret) {
        if (secret == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet (no secret)");
        }
        if (bytes == null || bytes.length <= DIGITS) {
            throw new ChubbyException(ErrorCode.BAD_HANDLE, "handle missing or too short");
        }
        byte[] fields = Arrays.copyOf(bytes, bytes.length - DIGITS);
        byte[] given = Arrays.copyOfRange(bytes, bytes.length - DIGITS, bytes.length);
        if (!MessageDigest.isEqual(given, digits(secret, fields))) {
            throw new ChubbyException(ErrorCode.BAD_HANDLE, "handle check digits do not match (forged or altered)");
        }
        Codec.In in = new Codec.In(fields, ErrorCode.BAD_HANDLE, "handle");
        if (in.u8() != VERSION) {
            throw new ChubbyException(ErrorCode.BAD_HANDLE, "unknown handle version");
        }
        HandleToken t = new HandleToken(in.i64(), in.i64(), in.str(), in.i64(), in.i32(), in.i64());
        in.end();
        return t;
    }

    static byte[] digits(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(data), DIGITS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
