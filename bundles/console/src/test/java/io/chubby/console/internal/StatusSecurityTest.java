package io.chubby.console.internal;

import static org.junit.jupiter.api.Assertions.assertSame;

import io.chubby.client.ClientSecurity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code console.status.tls.ca}: how the cell page reaches the other replicas (a readable CA giving
 * TLS is checked end to end by {@code CellTlsIT}: this bundle's tests have no certificate maker).
 */
class StatusSecurityTest {
    @TempDir
    Path dir;

    @Test
    void noCaIsPlaintext() {
        assertSame(ClientSecurity.NONE, ConsoleComponent.statusSecurity(""));
        assertSame(ClientSecurity.NONE, ConsoleComponent.statusSecurity("  "));
        assertSame(ClientSecurity.NONE, ConsoleComponent.statusSecurity(null));
    }

    @Test
    void anUnreadableCaIsPlaintextNotAFailedActivation() {
        assertSame(ClientSecurity.NONE, ConsoleComponent.statusSecurity(dir.resolve("missing.pem").toString()));
    }
}
