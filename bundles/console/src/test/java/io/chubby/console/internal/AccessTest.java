package io.chubby.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.console.internal.Gate.Outcome;
import io.chubby.spi.Principal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who gets in ({@link Gate}), the Basic header ({@link Credentials}) and each request's status ({@link Route}). */
class AccessTest {
    private static final LocalPassword SECRET = LocalPassword.of(pbkdf2("s3cret", 10_000), "");

    /** A console.password.hash value as chubby console passwd writes it (salt fixed here). */
    static String pbkdf2(String password, int iterations) {
        byte[] salt = "sixteen byte slt".getBytes(StandardCharsets.UTF_8);
        return "pbkdf2-sha256:" + iterations + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(LocalPassword.pbkdf2(password.toCharArray(), salt, iterations, 32));
    }

    private static Optional<Credentials> basic(String user, String password) {
        return Credentials.fromBasic("Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void localModeNeedsLoopbackAConfiguredPasswordAndTheRightOne() {
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "s3cret"), "127.0.0.1", "admin", SECRET).outcome());
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "s3cret"), "0:0:0:0:0:0:0:1", "admin", SECRET)
                .outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(Optional.empty(), "127.0.0.1", "admin", SECRET).outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("admin", "wrong"), "127.0.0.1", "admin", SECRET)
                .outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("root", "s3cret"), "127.0.0.1", "admin", SECRET)
                .outcome());
        Gate.Decision remote = Gate.local(basic("admin", "s3cret"), "10.1.2.3", "admin", SECRET);
        assertEquals(Outcome.FORBIDDEN, remote.outcome());
        assertTrue(remote.reason().contains("loopback only"), remote.reason());
        assertEquals(Outcome.FORBIDDEN, Gate.local(basic("admin", ""), "localhost", "admin", SECRET).outcome(),
                "a name is never resolved");
        Gate.Decision none = Gate.local(basic("admin", ""), "127.0.0.1", "admin", LocalPassword.of("", ""));
        assertEquals(Outcome.FORBIDDEN, none.outcome());
        assertTrue(none.reason().contains("console.password.hash"), none.reason());
    }

    @Test
    void theSaltedHashWinsAndTheUnsaltedOneStillWorksAlone() {
        String sha256 = HexFormat.of().formatHex(LocalPassword.sha256("old".toCharArray()));
        LocalPassword legacy = LocalPassword.of("", sha256);
        assertTrue(legacy.legacy());
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "old"), "127.0.0.1", "admin", legacy).outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("admin", "new"), "127.0.0.1", "admin", legacy).outcome());
        LocalPassword both = LocalPassword.of(pbkdf2("new", 10_000), sha256);
        assertFalse(both.legacy());
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "new"), "127.0.0.1", "admin", both).outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("admin", "old"), "127.0.0.1", "admin", both).outcome(),
                "the sha256 is ignored once a salted hash is set");
    }

    @Test
    void aRememberedMatchIsNotAKeyForAnotherPassword() {
        LocalPassword p = LocalPassword.of(pbkdf2("s3cret", 10_000), "");
        assertTrue(p.matches("s3cret".toCharArray()));
        assertTrue(p.matches("s3cret".toCharArray()), "the same password again (remembered)");
        assertFalse(p.matches("s3cret2".toCharArray()));
        assertFalse(p.matches("".toCharArray()));
        assertTrue(p.matches("s3cret".toCharArray()));
    }

    @Test
    void aBrokenHashLetsNobodyInAndSaysWhy() {
        for (String[] bad : new String[][] {
                {"sha256:abc", "is not pbkdf2-sha256:"},
                {"pbkdf2-sha256:many:AAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAA==", "is not a number"},
                {"pbkdf2-sha256:1000:AAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAA==", "at least 10000"},
                {"pbkdf2-sha256:10000:%%%:AAAA", "not base64"},
                {"pbkdf2-sha256:10000:AAAA:AAAAAAAAAAAAAAAAAAAAAA==", "salt of 3 bytes"}}) {
            LocalPassword p = LocalPassword.of(bad[0], "");
            assertFalse(p.configured(), bad[0]);
            Gate.Decision d = Gate.local(basic("admin", "x"), "127.0.0.1", "admin", p);
            assertEquals(Outcome.FORBIDDEN, d.outcome(), bad[0]);
            assertTrue(d.reason().contains(bad[1]), d.reason());
        }
        assertEquals(Outcome.FORBIDDEN, Gate.local(basic("admin", "x"), "127.0.0.1", "admin",
                LocalPassword.of("", "not-hex")).outcome());
    }

    @Test
    void cellModeLogsInWithTheCellAndNeedsAdmin() {
        Principal alice = new Principal("alice", Principal.Mechanism.PASSWORD);
        Principal root = new Principal("root", Principal.Mechanism.PASSWORD);
        java.util.function.Function<Credentials, Principal> login = c -> new String(c.password()).equals("pw")
                ? (c.user().equals("root") ? root : alice) : null;
        java.util.function.Predicate<Principal> admin = p -> p.equals(root);
        assertEquals(new Gate.Decision(Outcome.ALLOW, "root", ""),
                Gate.withCellLogin(basic("root", "pw"), login, admin));
        Gate.Decision notAdmin = Gate.withCellLogin(basic("alice", "pw"), login, admin);
        assertEquals(Outcome.FORBIDDEN, notAdmin.outcome());
        assertEquals("alice has no admin permission in this cell", notAdmin.reason());
        assertEquals(Outcome.CHALLENGE, Gate.withCellLogin(basic("root", "no"), login, admin).outcome());
        assertEquals(Outcome.CHALLENGE, Gate.withCellLogin(Optional.empty(), login, admin).outcome());
    }

    @Test
    void basicHeaderParsing() {
        Credentials c = basic("u", "p:w").orElseThrow();
        assertEquals("u", c.user());
        assertEquals("p:w", new String(c.password()));
        assertTrue(Credentials.fromBasic(null).isEmpty());
        assertTrue(Credentials.fromBasic("Bearer x").isEmpty());
        assertTrue(Credentials.fromBasic("Basic !!!").isEmpty());
        assertTrue(Credentials.fromBasic("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()))
                .isEmpty());
    }

    @Test
    void onlyGetAndHeadOnExactlyThePage() {
        assertEquals(200, Route.check("GET", "/system/console/chubby-cell", "chubby-cell"));
        assertEquals(200, Route.check("HEAD", "/system/console/chubby-cell", "chubby-cell"));
        assertEquals(405, Route.check("POST", "/system/console/chubby-cell", "chubby-cell"));
        assertEquals(405, Route.check("DELETE", "/system/console/chubby-locks", "chubby-locks"));
        assertEquals(404, Route.check("GET", "/system/console/chubby-cell/more", "chubby-cell"));
        assertEquals(404, Route.check("POST", "/system/console/chubby-cell/more", "chubby-cell"));
    }
}
