package io.chubby.cli.internal.command;

import io.chubby.api.Stat;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;
import org.apache.shiro.authc.credential.DefaultPasswordService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code acl file get|put|ls}, {@code acl set -r}, {@code acl passwd} and {@code cell up --set acl.*}. */
class AclCommandsTest {
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

    @Test
    void aclFilesPutGetLs() throws Exception {
        h.use(InProcessCell.builder().start());
        assertEquals(List.of(), ok("acl", "file", "ls").outLines(), "no /acl directory yet: no files");
        ok("acl", "file", "put", "svc-writers", "alice", "ops");
        assertEquals("alice\nops\n", ok("acl", "file", "get", "svc-writers").out());
        assertEquals("alice\nops\n", h.contents("/ls/local/acl/svc-writers"), "a plain file of the cell");
        Path f = tmp.resolve("ops.acl");
        Files.writeString(f, "# on call\nbob\n");
        ok("acl", "file", "put", "ops", "--from", f.toString());
        h.stdin = "carol\n".getBytes(StandardCharsets.UTF_8);
        ok("acl", "file", "put", "readers", "--from", "-");
        assertEquals("# on call\nbob\n", ok("acl", "file", "get", "ops").out());
        assertEquals("carol\n", h.contents("/ls/local/acl/readers"));
        assertEquals(List.of("ops", "readers", "svc-writers"), ok("acl", "file", "ls").outLines());

        assertEquals(2, h.run("acl", "file", "put", "a/b", "x").code(), "not one path component");
        assertEquals(2, h.run("acl", "file", "put", "x").code(), "neither names nor --from");
        assertEquals(2, h.run("acl", "file", "put", "x", "--from", f.toString(), "y").code(), "both");
        assertEquals(2, h.run("acl", "file", "put", "x", "bad#name").code());
        Result missing = h.run("acl", "file", "get", "nosuch");
        assertEquals(10, missing.code(), "NO_SUCH_NODE");
    }

    @Test
    void aclSetRecursiveSetsEveryNodeBelow() {
        h.use(InProcessCell.builder().start());
        ok("mkdir", "-p", "/ls/local/svc/a/b");
        ok("put", "/ls/local/svc/x", "1");
        ok("put", "/ls/local/svc/a/y", "2");
        ok("put", "/ls/local/other", "3");
        Result r = ok("acl", "set", "-r", "/ls/local/svc/", "--write", "svc-writers", "--read", "everyone");
        assertEquals(List.of("set 5 of 5 nodes under /ls/local/svc"), r.outLines());
        for (String p : List.of("/ls/local/svc", "/ls/local/svc/a", "/ls/local/svc/a/b", "/ls/local/svc/x",
                "/ls/local/svc/a/y")) {
            Stat s = h.stat(p);
            assertEquals("svc-writers", s.writeAcl(), p);
            assertEquals("everyone", s.readAcl(), p);
            assertEquals("", s.changeAcl(), p + ": a name not given is kept");
        }
        assertEquals("", h.stat("/ls/local/other").writeAcl(), "outside the tree: untouched");
        ok("acl", "set", "/ls/local/svc", "--change", "admins");
        assertEquals("admins", h.stat("/ls/local/svc").changeAcl());
        assertEquals("", h.stat("/ls/local/svc/x").changeAcl(), "without -r only the node itself");
        assertEquals(List.of("set 1 of 1 nodes under /ls/local/svc/x"),
                ok("acl", "set", "-r", "/ls/local/svc/x", "--change", "admins").outLines(), "a file: itself");
    }

    @Test
    void aclPasswdWritesAShiroHashFromAFileOrStdinNeverTheCommandLine() throws Exception {
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret\nignored second line\n");
        Path passwords = tmp.resolve("passwords");
        Files.writeString(passwords, "# chubby users\nbob:$shiro2$2y$10$old\n");
        assertEquals(List.of("alice: password added in " + passwords + " (bcrypt)"),
                ok("acl", "passwd", "alice", "--file", passwords.toString(), "--new-password-file", pw.toString())
                        .outLines());
        h.stdin = "builder\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("bob: password changed in " + passwords + " (argon2id)"),
                ok("acl", "passwd", "bob", "--file", passwords.toString(), "--algorithm", "argon2id").outLines());
        List<String> lines = Files.readAllLines(passwords);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("# chubby users", lines.get(0), "other lines are kept");
        String bob = lines.get(1).substring("bob:".length());
        String alice = lines.get(2).substring("alice:".length());
        assertTrue(alice.startsWith("$shiro2$2y$10$"), alice);
        assertTrue(bob.startsWith("$shiro2$argon2id$"), bob);
        DefaultPasswordService shiro = new DefaultPasswordService();
        assertTrue(shiro.passwordsMatch("s3cret", alice), "what the acl bundle's realm checks");
        assertTrue(shiro.passwordsMatch("builder", bob));
        assertFalse(shiro.passwordsMatch("wrong", alice));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwords)));

        assertEquals(2, h.run("acl", "passwd", "anonymous", "--file", passwords.toString()).code());
        assertEquals(2, h.run("acl", "passwd", "a:b", "--file", passwords.toString()).code());
        assertEquals(2, h.run("acl", "passwd", "carol", "--file", passwords.toString(), "--algorithm", "md5").code());
        h.stdin = new byte[0];
        assertEquals(2, h.run("acl", "passwd", "carol", "--file", passwords.toString()).code(), "empty password");
        assertFalse(Files.readString(passwords).contains("carol"));
    }

    @Test
    void theHasherLoadsShiroFromTheDistributionsLibShiroWhenTheClassPathHasNone() throws Exception {
        Path home = tmp.resolve("home");
        Path lib = Files.createDirectories(home.resolve("lib").resolve("shiro"));
        int copied = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String n = p.getFileName().toString();
            if (n.endsWith(".jar") && (n.startsWith("shiro-") || n.startsWith("bcprov-") || n.startsWith("slf4j-api"))) {
                Files.copy(p, lib.resolve(n));
                copied++;
            }
        }
        assertTrue(copied >= 5, "shiro jars on the test class path: " + copied);
        ClassLoader withoutShiro = ClassLoader.getPlatformClassLoader();
        String hash = PasswordHasher.hash("pw".toCharArray(), "bcrypt", home, withoutShiro);
        assertTrue(new DefaultPasswordService().passwordsMatch("pw", hash), hash);
        IllegalStateException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> PasswordHasher.hash("pw".toCharArray(), "bcrypt", null, withoutShiro));
        assertTrue(none.getMessage().contains("CHUBBY_HOME is not set"), none.getMessage());
    }

    @Test
    void cellUpWritesAclKeysIntoTheAclBundlesFile() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin").resolve("chubby-server");
        Files.writeString(script, "#!/bin/sh\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        h.env.put("CHUBBY_HOME", home.toString());
        h.workDir = tmp;
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(1, 1, 3)).basePort();
        try {
            Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base, "--no-dns",
                    "--set", "acl.superusers=admin", "--set", "acl.anonymous=true", "--set", "cell.acl.enforce=true");
            assertEquals(0, up.code(), up.err());
            CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
            Path etc = layout.replicaDir(1).resolve("etc");
            assertEquals("acl.anonymous=true\nacl.superusers=admin\n",
                    Files.readString(etc.resolve("io.chubby.acl.cfg")).replaceAll("(?m)^#.*\n", ""));
            assertTrue(Files.readString(etc.resolve("io.chubby.cell.cfg")).contains("cell.acl.enforce=true\n"));
        } finally {
            h.run("cell", "down", "--dir", "c", "--grace", "5");
            new PidFile(CellLayout.read(tmp.resolve("c")).orElseThrow().pidFile(1)).alive()
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
