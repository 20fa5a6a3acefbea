package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.ChubbyException;
import io.chubby.api.MasterInfo;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The principals of a cell made by {@code chubby cell up --tls}: {@code admin} (the certificate
 * the command made; a superuser), {@code alice} and {@code carol} (certificates issued from the
 * cell's throwaway CA with {@code chubby cell cert}), {@code bob} (a password login: his hash is added with
 * {@code chubby acl passwd} and the acl bundle's {@code acl.passwords.file} set on every replica),
 * and {@code anonymous} (TLS without a certificate). Also: switching {@code acl.anonymous} on every
 * replica, and killing the master.
 */
final class SecuredCell {
    static final String BOB_PASSWORD = "correct horse battery staple";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long DEADLINE_MS = 60_000;

    private SecuredCell() {
    }

    static Path tls(LocalCell cell) {
        return cell.dir().resolve("tls");
    }

    /** Issues alice's and carol's certificates and turns on bob's password login; waits until it works. */
    static void setUp(LocalCell cell) throws Exception {
        for (String who : List.of("alice", "carol")) {
            LocalCell.Run issued = cell.chubby(null, "cell", "cert", "--dir", cell.dir().toString(), who);
            assertEquals(0, issued.exit(), issued::toString);
            assertEquals("export CHUBBY_TLS_CA=" + tls(cell).resolve("ca.pem") + " CHUBBY_TLS_CERT="
                    + tls(cell).resolve(who + ".pem") + " CHUBBY_TLS_KEY=" + tls(cell).resolve(who + ".key"),
                    issued.out().lines().reduce((a, b) -> b).orElse(""), issued::toString);
        }
        Path passwords = cell.dir().resolve("passwords");
        Path pw = cell.dir().resolve("bob.password");
        Files.writeString(pw, BOB_PASSWORD + "\n");
        LocalCell.Run hashed = cell.chubby(null, "acl", "passwd", "bob", "--file", passwords.toString(),
                "--new-password-file", pw.toString());
        assertEquals(0, hashed.exit(), hashed::toString);
        setAclKey(cell, "acl.passwords.file", passwords.toString());
        await("bob's password login", () -> {
            Identity id = ChubbyClient.whoami(cell.clientAddress(1), CALL_TIMEOUT, security(cell, "bob"));
            return id.principal().equals("bob") ? id : null;
        });
    }

    /** How {@code who} reaches the cell: TLS always; a certificate, a password, or nothing. */
    static ClientSecurity security(LocalCell cell, String who) {
        Path tls = tls(cell);
        Path ca = tls.resolve("ca.pem");
        return switch (who) {
            case "admin" -> ClientSecurity.builder().tlsFiles(ca, tls.resolve("admin.pem"), tls.resolve("admin.key"),
                    null).build();
            case "bob" -> ClientSecurity.builder().tlsFiles(ca, null, null, null)
                    .credentials("bob", BOB_PASSWORD.toCharArray()).build();
            case "anonymous" -> ClientSecurity.builder().tlsFiles(ca, null, null, null).build();
            default -> ClientSecurity.builder().tlsFiles(ca, tls.resolve(who + ".pem"), tls.resolve(who + ".key"),
                    null).build();
        };
    }

    static ClientOptions options(LocalCell cell, String who) {
        return ClientOptions.builder().cell(cell.cellSpec()).clientName("acl-it-" + who)
                .callTimeout(CALL_TIMEOUT).security(security(cell, who)).build();
    }

    /** Sets {@code acl.anonymous} on every replica (FileInstall applies it; the acl bundle takes it in place). */
    static void allowAnonymous(LocalCell cell, boolean allow) {
        setAclKey(cell, "acl.anonymous", Boolean.toString(allow));
    }

    /** Sets one key of every replica's {@code etc/io.chubby.acl.cfg}, keeping the others. */
    static void setAclKey(LocalCell cell, String key, String value) {
        for (int i = 1; i <= cell.replicas(); i++) {
            Path f = cell.dir().resolve("replica-" + i).resolve("etc").resolve("io.chubby.acl.cfg");
            try {
                List<String> out = new ArrayList<>();
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.startsWith(key + "=")) {
                        out.add(line);
                    }
                }
                out.add(key + "=" + value);
                Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
                Files.write(tmp, out, StandardCharsets.UTF_8);
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Kills the master with SIGKILL; returns its replica id. */
    static int killMaster(LocalCell cell) throws InterruptedException {
        MasterInfo m = await("a master", () -> {
            try {
                MasterInfo info = ChubbyClient.masterLocation(cell.clientAddress(1), CALL_TIMEOUT,
                        security(cell, "admin"));
                return info.known() ? info : null;
            } catch (ChubbyException e) {
                return null;
            }
        });
        int id = Integer.parseInt(m.masterAddress().substring(m.masterAddress().lastIndexOf(':') + 1))
                - cell.basePort();
        long pid = cell.pid(id).orElseThrow(() -> new AssertionError("no pid file for replica " + id));
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        victim.destroyForcibly();
        victim.onExit().join();
        return id;
    }

    static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        RuntimeException last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what + (last == null ? "" : ": " + last), last);
    }
}
