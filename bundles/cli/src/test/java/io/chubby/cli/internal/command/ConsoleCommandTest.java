package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chubby console passwd}: the console's salted password hash, printed or set in config files. */
class ConsoleCommandTest {
    @TempDir
    Path tmp;

    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    /** Checks a hash the way the console does: PBKDF2-HMAC-SHA256 over the salt it names. */
    private static void assertHashOf(String password, String hash, int iterations) throws Exception {
        String[] p = hash.split(":");
        assertEquals(4, p.length, hash);
        assertEquals("pbkdf2-sha256", p[0]);
        assertEquals(iterations, Integer.parseInt(p[1]));
        byte[] salt = Base64.getDecoder().decode(p[2]);
        byte[] key = Base64.getDecoder().decode(p[3]);
        assertEquals(16, salt.length);
        assertEquals(32, key.length);
        byte[] again = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        assertArrayEquals(key, again, "the key is PBKDF2 of the password over the salt");
    }

    @Test
    void printsASaltedHashOfThePasswordFromStdinOrAFile() throws Exception {
        h.stdin = "s3cret\n".getBytes(StandardCharsets.UTF_8);
        String line = ok("console", "passwd", "--iterations", "10000").outLines().get(0);
        assertTrue(line.startsWith("console.password.hash=pbkdf2-sha256:10000:"), line);
        String first = line.substring("console.password.hash=".length());
        assertHashOf("s3cret", first, 10_000);

        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret\nsecond line ignored\n");
        String second = ok("console", "passwd", "--new-password-file", pw.toString()).outLines().get(0)
                .substring("console.password.hash=".length());
        assertHashOf("s3cret", second, ConsoleCommand.DEFAULT_ITERATIONS);
        assertNotEquals(first.split(":")[2], second.split(":")[2], "a fresh salt every time");
    }

    @Test
    void setsTheHashInEachConfigFileReplacingAnEarlierPasswordLine() throws Exception {
        Path one = tmp.resolve("r1.cfg");
        Files.writeString(one, "console.user=ops\nconsole.password.sha256=abc\nconsole.password.hash = old\n");
        Path two = tmp.resolve("r2.cfg");
        h.stdin = "pw2\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("console.password.hash replaced in " + one, "console.password.hash set in " + two),
                ok("console", "passwd", "--iterations", "10000", "--config", one.toString(), "--config",
                        two.toString()).outLines());
        List<String> lines = Files.readAllLines(one);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("console.user=ops", lines.get(0), "other lines are kept");
        assertHashOf("pw2", lines.get(1).substring("console.password.hash=".length()), 10_000);
        assertEquals(lines.get(1), Files.readAllLines(two).get(0), "one hash for every file given");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(one)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(two)));
    }

    @Test
    void refusesAnEmptyPasswordAndTooFewIterations() throws Exception {
        h.stdin = new byte[0];
        Result empty = h.run("console", "passwd");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("empty password"), empty.err());
        h.stdin = "x\n".getBytes(StandardCharsets.UTF_8);
        Result few = h.run("console", "passwd", "--iterations", "1000");
        assertEquals(2, few.code());
        assertTrue(few.err().contains("at least 10000"), few.err());
        Path cfg = tmp.resolve("untouched.cfg");
        h.stdin = new byte[0];
        assertEquals(2, h.run("console", "passwd", "--config", cfg.toString()).code());
        assertTrue(Files.notExists(cfg), "nothing written on a refusal");
    }
}
