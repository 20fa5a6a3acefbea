package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A lock sequencer (SPEC section 5): opaque bytes naming a lock, its mode and its lock generation,
 * authenticated by the cell. Pass {@link #bytes()} (or {@link #toBase64()}) to the servers you
 * protect; they check it with {@link ChubbyClient#checkSequencer} or a {@link SequencerVerifier}.
 * The decoded fields are for display and local ordering only: nothing here proves the bytes
 * authentic (only the cell, holding the secret, can).
 *
 * <p>Layout (big-endian): {@code 0x53 'S' | version 1 | 0x01, i32 length, UTF-8 path | i64 node
 * instance | u8 mode (0 EXCLUSIVE, 1 SHARED) | i64 lock generation | 16 bytes check digits}.
 */
public record Sequencer(byte[] bytes, String path, long instance, LockMode mode, long generation) {
    private static final int MAGIC = 0x53;
    private static final int DIGITS = 16;

    public Sequencer {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Decodes sequencer bytes for display (no authentication).
     *
     * @throws ChubbyException INVALID_ARGUMENT when the bytes are not laid out as a sequencer
     */
    public static Sequencer decode(byte[] bytes) {
        // header 3, path length 4, instance 8, mode 1, generation 8, check digits 16
        int fixed = 3 + 4 + 8 + 1 + 8 + DIGITS;
        if (bytes.length < fixed) {
            throw notASequencer(bytes.length + (bytes.length == 1 ? " byte" : " bytes") + ", fewer than the " + fixed
                    + " of an empty path's sequencer");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if ((b.get() & 0xff) != MAGIC || b.get() != 1 || b.get() != 1) {
            throw notASequencer("bad magic or version");
        }
        int pathLength = b.getInt();
        if (pathLength < 0 || pathLength != bytes.length - fixed) {
            throw notASequencer("a path of " + pathLength + " bytes does not fit " + bytes.length + " bytes");
        }
        byte[] p = new byte[pathLength];
        b.get(p);
        long instance = b.getLong();
        int mode = b.get();
        long generation = b.getLong();
        if (mode != 0 && mode != 1) {
            throw notASequencer("bad lock mode " + mode);
        }
        return new Sequencer(bytes, new String(p, StandardCharsets.UTF_8), instance,
                mode == 0 ? LockMode.EXCLUSIVE : LockMode.SHARED, generation);
    }

    private static ChubbyException notASequencer(String why) {
        return new ChubbyException(ErrorCode.INVALID_ARGUMENT, "not a sequencer: " + why);
    }

    /**
     * Parses a sequencer given as text: base64 (standard or URL-safe) or hex (as printed by
     * {@code chubby}), surrounding blanks ignored.
     *
     * @throws ChubbyException INVALID_ARGUMENT when it is neither, or does not decode
     */
    public static Sequencer parse(String text) {
        String t = text.strip();
        if (t.matches("(?i)[0-9a-f]+") && t.length() % 2 == 0) {
            try {
                return decode(HexFormat.of().parseHex(t));
            } catch (ChubbyException hexFailed) {
                // could still be base64 made only of hex digits; fall through
            }
        }
        try {
            byte[] b = t.contains("-") || t.contains("_") ? Base64.getUrlDecoder().decode(t)
                    : Base64.getDecoder().decode(t);
            return decode(b);
        } catch (IllegalArgumentException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "sequencer is neither base64 nor hex: " + t, e);
        }
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sequencer s && Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return path + " " + mode + " generation " + generation + " (instance " + instance + ")";
    }
}
