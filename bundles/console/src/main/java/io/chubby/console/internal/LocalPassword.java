package io.chubby.console.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's own password (local mode, no cell authentication), as configured in PID
 * {@code io.chubby.console}:
 * <ul>
 *   <li>{@code console.password.hash}: {@code pbkdf2-sha256:<iterations>:<salt>:<key>} (salt and
 *       key in base64), PBKDF2 with HMAC-SHA-256 from the JDK, as {@code chubby console passwd}
 *       writes it. Salted and slow: a copy of the file does not give the password away cheaply.</li>
 *   <li>{@code console.password.sha256}: the unsalted SHA-256 in hex, the first format; still
 *       accepted (a WARN at activation) so an existing configuration keeps working.</li>
 * </ul>
 * A configuration that cannot be read lets nobody in and says why ({@link #problem()}).
 *
 * <p>The browser sends the password with every request (HTTP Basic), so a slow hash would be paid
 * per page: the last password that matched is remembered as an HMAC under a key drawn at start (never
 * the password itself), and the same password again is checked against that.
 *
 * <p>Threads: any.
 */
final class LocalPassword {
    static final String PBKDF2 = "pbkdf2-sha256";
    /** Fewer iterations than this are refused as a configuration that protects nothing. */
    static final int MIN_ITERATIONS = 10_000;

    private final byte[] salt;
    private final int iterations;
    private final byte[] expected;
    private final boolean legacy;
    private final String problem;
    private final byte[] memoKey = new byte[32];
    private volatile byte[] lastMatch;

    private LocalPassword(byte[] salt, int iterations, byte[] expected, boolean legacy, String problem) {
        this.salt = salt;
        this.iterations = iterations;
        this.expected = expected;
        this.legacy = legacy;
        this.problem = problem;
        new SecureRandom().nextBytes(memoKey);
    }

    /**
     * The configured password: {@code hash} ({@code console.password.hash}) when set, else
     * {@code sha256} ({@code console.password.sha256}); neither: {@link #configured()} is false.
     */
    static LocalPassword of(String hash, String sha256) {
        if (hash != null && !hash.isBlank()) {
            return parse(hash.trim());
        }
        if (sha256 != null && !sha256.isBlank()) {
            byte[] digest = hex(sha256.trim());
            return digest == null || digest.length != 32
                    ? broken("console.password.sha256 is not 64 hex digits")
                    : new LocalPassword(null, 0, digest, true, null);
        }
        return new LocalPassword(null, 0, null, false, null);
    }

    private static LocalPassword parse(String hash) {
        String[] parts = hash.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(PBKDF2)) {
            return broken("console.password.hash is not " + PBKDF2 + ":<iterations>:<salt>:<key> (write it with "
                    + "chubby console passwd)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return broken("console.password.hash: iterations '" + parts[1] + "' is not a number");
        }
        if (iterations < MIN_ITERATIONS) {
            return broken("console.password.hash: " + iterations + " iterations, at least " + MIN_ITERATIONS);
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] key = Base64.getDecoder().decode(parts[3]);
            if (salt.length < 8 || key.length < 16) {
                return broken("console.password.hash: salt of " + salt.length + " bytes and key of " + key.length
                        + " (at least 8 and 16)");
            }
            return new LocalPassword(salt, iterations, key, false, null);
        } catch (IllegalArgumentException e) {
            return broken("console.password.hash: salt or key is not base64");
        }
    }

    private static LocalPassword broken(String why) {
        return new LocalPassword(null, 0, null, false, why);
    }

    /** Whether a password is configured (and readable): without one nobody gets in. */
    boolean configured() {
        return expected != null;
    }

    /** Why the configured value cannot be used, or null. */
    String problem() {
        return problem;
    }

    /** Whether the configuration is the unsalted SHA-256 of the first format. */
    boolean legacy() {
        return legacy;
    }

    /** Whether {@code password} is the configured one (false when none is configured). */
    boolean matches(char[] password) {
        if (expected == null) {
            return false;
        }
        byte[] memo = hmac(password);
        byte[] last = lastMatch;
        if (last != null && MessageDigest.isEqual(last, memo)) {
            return true;
        }
        boolean good = MessageDigest.isEqual(legacy ? sha256(password) : pbkdf2(password, salt, iterations,
                expected.length), expected);
        if (good) {
            lastMatch = memo;
        }
        return good;
    }

    static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no PBKDF2WithHmacSHA256 in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    static byte[] sha256(char[] password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(new String(password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private byte[] hmac(char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(memoKey, "HmacSHA256"));
            return mac.doFinal(new String(password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    }

    private static byte[] hex(String hex) {
        try {
            return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
