package io.chubby.acl.internal;

import static io.chubby.acl.internal.Fixtures.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.shiro.authc.credential.DefaultPasswordService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password logins: Shiro's password realm over the passwords file, and the per-host failure limit. */
class PasswordLoginTest {
    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** bcrypt (Shiro's "2y", cost 10): what {@code chubby acl passwd} writes by default; argon2id is Shiro's default. */
    private final DefaultPasswordService hashes = PasswordRealm.passwordService();
    private final DefaultPasswordService argon2 = new DefaultPasswordService();
    private Path file;
    private AclService acl;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("passwords");
        Files.writeString(file, "# users\nalice:" + hashes.encryptPassword("wonderland") + "\n\nbob:"
                + hashes.encryptPassword("builder") + "\nanonymous:" + hashes.encryptPassword("x") + "\n");
        acl = new AclService(null, config("", false, file.toString(), 3, 100), nanos::get);
    }

    @AfterEach
    void tearDown() {
        acl.close();
    }

    private Principal login(String user, String password, String remote) {
        return acl.authenticator().authenticate(user, password.toCharArray(), remote);
    }

    private ChubbyException refused(String user, String password, String remote) {
        ChubbyException e = assertThrows(ChubbyException.class, () -> login(user, password, remote));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        return e;
    }

    @Test
    void theRightPasswordGivesAPasswordPrincipal() throws Exception {
        assertTrue(hashes.encryptPassword("p").startsWith("$shiro2$2y$10$"), "bcrypt in Shiro 2's format");
        assertEquals(new Principal("alice", Principal.Mechanism.PASSWORD), login("alice", "wonderland", "10.0.0.1:5000"));
        assertEquals(new Principal("bob", Principal.Mechanism.PASSWORD), login("bob", "builder", "10.0.0.1:5001"));
        // Shiro's default algorithm works too: the file names each hash's algorithm
        String h = argon2.encryptPassword("argon");
        assertTrue(h.startsWith("$shiro2$argon2id$"), h);
        Files.writeString(file, "dora:" + h + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertEquals("dora", login("dora", "argon", "10.0.0.1:5002").name());
    }

    @Test
    void wrongPasswordsAndUnknownUsersReadTheSame() {
        assertEquals("login as alice failed: unknown user or wrong password",
                refused("alice", "wrong", "10.0.0.1:5000").detail());
        assertEquals("login as mallory failed: unknown user or wrong password",
                refused("mallory", "wonderland", "10.0.0.2:5000").detail());
        refused("anonymous", "x", "10.0.0.3:5000");   // reserved for connections that proved nothing
    }

    @Test
    void aHostThatFailsTooOftenIsRefusedUntilItsMinutePasses() {
        for (int i = 0; i < 3; i++) {
            refused("alice", "guess" + i, "10.0.0.9:" + (6000 + i));
        }
        ChubbyException e = refused("alice", "wonderland", "10.0.0.9:6100");
        assertTrue(e.detail().contains("too many failed logins from 10.0.0.9, try again in 60 s"), e.detail());
        assertEquals("alice", login("alice", "wonderland", "10.0.0.8:6000").name(), "another host is not limited");
        nanos.addAndGet(LoginLimiter.WINDOW_NANOS);
        assertEquals("alice", login("alice", "wonderland", "10.0.0.9:6101").name(), "the minute has passed");
    }

    @Test
    void thePasswordsFileIsReadAgainWhenItChanges() throws Exception {
        refused("carol", "secret", "10.0.0.1:1");
        Files.writeString(file, "carol:" + hashes.encryptPassword("secret") + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertEquals("carol", login("carol", "secret", "10.0.0.1:2").name());
        refused("alice", "wonderland", "10.0.0.1:3");
        Files.delete(file);
        refused("carol", "secret", "10.0.0.4:1");
    }

    @Test
    void noPasswordsFileNoAuthenticatorAndAReconfigurationSwitchesIt() {
        AclService plain = new AclService(null, config("", false), nanos::get);
        try {
            assertNull(plain.authenticator());
            plain.modified(config("", false, file.toString(), 3, 100));
            Authenticator a = plain.authenticator();
            assertNotNull(a);
            assertEquals("alice", a.authenticate("alice", "wonderland".toCharArray(), "10.0.0.1:1").name());
            plain.modified(config("", false));
            assertNull(plain.authenticator());
        } finally {
            plain.close();
        }
    }

    @Test
    void hostOfStripsThePort() {
        assertEquals("10.0.0.1", LoginLimiter.hostOf("10.0.0.1:5000"));
        assertEquals("10.0.0.1", LoginLimiter.hostOf("/10.0.0.1:5000"));
        assertEquals("::1", LoginLimiter.hostOf("[::1]:5000"));
        assertEquals("fe80::1", LoginLimiter.hostOf("fe80::1"));
        assertEquals("unknown", LoginLimiter.hostOf(null));
    }
}
