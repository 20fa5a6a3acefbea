package io.chubby.mirror.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.ClientSecurity;
import io.chubby.testkit.FakeConsensus;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorSecurityTest {
    @TempDir
    Path dir;

    private static MirrorSecurity source(String ca, String cert, String key, String user, String pwFile) {
        return new MirrorSecurity("source", ca, cert, key, "", user, pwFile);
    }

    @Test
    void everyKeyBlankIsPlaintextAndAnonymous() {
        ClientSecurity s = MirrorSecurity.none("source").resolve();
        assertFalse(s.tls().isPresent());
        assertFalse(s.user().isPresent());
    }

    @Test
    void aPasswordLoginReadsTheFirstLineOfItsFile() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "correct horse\r\nsecond line ignored\n");
        ClientSecurity s = source("", "", "", "bob", pw.toString()).resolve();
        assertEquals("bob", s.user().orElseThrow());
        assertArrayEquals("correct horse".toCharArray(), s.password());
        assertFalse(s.tls().isPresent(), "a login alone stays plaintext");
    }

    @Test
    void unusableKeysAreRefusedNamingTheKey() throws Exception {
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        String missing = dir.resolve("missing.pem").toString();
        assertRefused("mirror.source.user needs mirror.source.password.file", source("", "", "", "bob", ""));
        assertRefused("mirror.source.password.file is set without mirror.source.user",
                source("", "", "", "", empty.toString()));
        assertRefused("mirror.source.password.file: " + empty + " holds no password",
                source("", "", "", "bob", empty.toString()));
        assertRefused("mirror.source.password.file: " + missing + " does not exist or is not readable",
                source("", "", "", "bob", missing));
        assertRefused("mirror.source.tls.key is set without mirror.source.tls.cert",
                source("", "", "x.key", "", ""));
        assertRefused("mirror.source.tls.ca is required with mirror.source.tls.cert",
                source("", "m.pem", "m.key", "", ""));
        assertRefused("mirror.source.tls.ca: " + missing + " does not exist or is not readable",
                source(missing, "", "", "", ""));
        Path garbage = dir.resolve("ca.pem");
        Files.writeString(garbage, "not a certificate\n");
        assertRefused("mirror.source.tls: ", source(garbage.toString(), "", "", "", ""));
        assertRefused("mirror.target.tls.key is required with a PEM mirror.target.tls.cert",
                new MirrorSecurity("target", garbage.toString(), garbage.toString(), "", "", "", ""));
    }

    private static void assertRefused(String start, MirrorSecurity s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::resolve);
        assertTrue(e.getMessage().startsWith(start), () -> "expected '" + start + "...', got: " + e.getMessage());
    }

    @Test
    void aConfigurationWithUnusableCredentialsIsListedAsRefusedAndProtectsNothing() {
        MirrorRegistry registry = new MirrorRegistry();
        String missing = dir.resolve("missing").toString();
        MirrorComponent m = new MirrorComponent(new FakeConsensus(), registry, config(Map.of(
                "mirror_name", "g", "mirror_source_cell", "127.0.0.1:1", "mirror_source_path", "/ls/a/x",
                "mirror_target_path", "/ls/local/x", "mirror_source_user", "bob",
                "mirror_source_password_file", missing)));
        try {
            List<MirrorStatus> all = registry.statuses();
            assertEquals(1, all.size());
            assertEquals(MirrorState.REFUSED, all.get(0).state());
            assertEquals("mirror.source.password.file: " + missing + " does not exist or is not readable",
                    all.get(0).detail());
            assertEquals(null, registry.protecting("/ls/local/x/f", 1), "a refused mirror protects nothing");
        } finally {
            m.close();
        }
        assertTrue(registry.statuses().isEmpty());
    }

    /** A Config with these values and every other key at its default. */
    private static MirrorComponent.Config config(Map<String, Object> values) {
        return (MirrorComponent.Config) Proxy.newProxyInstance(MirrorComponent.Config.class.getClassLoader(),
                new Class<?>[] {MirrorComponent.Config.class}, (proxy, method, args) -> {
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }
}
