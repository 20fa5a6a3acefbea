package io.chubby.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    private static final String SECRET_SHA256 = HexFormat.of().formatHex(Gate.sha256("s3cret".toCharArray()));

    private static Optional<Credentials> basic(String user, String password) {
        return Credentials.fromBasic("Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void localModeNeedsLoopbackAConfiguredPasswordAndTheRightOne() {
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "s3cret"), "127.0.0.1", "admin", SECRET_SHA256).outcome());
        assertEquals(Outcome.ALLOW, Gate.local(basic("admin", "s3cret"), "0:0:0:0:0:0:0:1", "admin", SECRET_SHA256)
                .outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(Optional.empty(), "127.0.0.1", "admin", SECRET_SHA256).outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("admin", "wrong"), "127.0.0.1", "admin", SECRET_SHA256)
                .outcome());
        assertEquals(Outcome.CHALLENGE, Gate.local(basic("root", "s3cret"), "127.0.0.1", "admin", SECRET_SHA256)
                .outcome());
        Gate.Decision remote = Gate.local(basic("admin", "s3cret"), "10.1.2.3", "admin", SECRET_SHA256);
        assertEquals(Outcome.FORBIDDEN, remote.outcome());
        assertTrue(remote.reason().contains("loopback only"), remote.reason());
        assertEquals(Outcome.FORBIDDEN, Gate.local(basic("admin", ""), "localhost", "admin", SECRET_SHA256).outcome(),
                "a name is never resolved");
        Gate.Decision none = Gate.local(basic("admin", ""), "127.0.0.1", "admin", "");
        assertEquals(Outcome.FORBIDDEN, none.outcome());
        assertTrue(none.reason().contains("console.password.sha256"), none.reason());
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
