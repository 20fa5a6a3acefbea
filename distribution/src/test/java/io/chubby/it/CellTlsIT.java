package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.testkit.TestCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chubby cell up --tls} with three real replica processes: the CLI writes and reads with
 * the exported CHUBBY_TLS_* variables, {@code whoami} says admin, {@code cell status} works, a
 * plaintext client is refused at the handshake, a second {@code cell up} reuses the certificates;
 * then replica 3 comes back with a certificate of another CA: it cannot join (its links are refused
 * with a WARN naming why), and the other two keep a master and serve writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CellTlsIT {
    private LocalCell cell;

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void aSecuredCell() throws Exception {
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up("--tls", "--no-dns");
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertTrue(up.out().contains("tls: made ca, replica-1, replica-2, replica-3, admin"), up::toString);
        List<String> lines = up.out().lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith("export CHUBBY_CELL="), "CHUBBY_CELL stays last: " + up);
        String export = lines.get(lines.size() - 2);
        assertTrue(export.startsWith("export CHUBBY_TLS_CA="), up::toString);
        for (String kv : export.substring("export ".length()).split(" ")) {
            String[] p = kv.split("=", 2);
            cell.env.put(p[0], p[1]);
            assertTrue(Files.isRegularFile(Path.of(p[1])), kv);
        }
        assertEquals(Map.of("CHUBBY_TLS_CA", cell.dir().resolve("tls/ca.pem").toString(),
                "CHUBBY_TLS_CERT", cell.dir().resolve("tls/admin.pem").toString(),
                "CHUBBY_TLS_KEY", cell.dir().resolve("tls/admin.key").toString()), cell.env);

        LocalCell.Run who = cell.chubby(null, "whoami");
        assertEquals(0, who.exit(), who::toString);
        assertEquals("admin (TLS certificate)", who.out().trim());
        assertEquals(0, cell.chubby(null, "put", "/ls/local/secured", "v1").exit(), cell::logs);
        LocalCell.Run cat = cell.chubby(null, "cat", "/ls/local/secured");
        assertEquals("v1", cat.out(), cat::toString);
        assertTrue(cell.master().isPresent(), "cell status over TLS names the master");
        LocalCell.Run status = cell.chubby(null, "cell", "status", "--cell", cell.cellSpec());
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().contains("role=master"), status::toString);

        // the console's cell page asks the other replicas over TLS (console.status.tls.ca, written by
        // cell up --tls): every row answers, none reads down; the console is entered with the cell's
        // login (a passwords file given to the acl bundle, admin its superuser)
        assertTrue(Files.readString(cell.dir().resolve("replica-1/etc/io.chubby.console.cfg"))
                .contains("console.status.tls.ca=" + cell.dir().resolve("tls/ca.pem")), "cell up --tls writes the CA");
        Path passwords = cell.dir().resolve("console-passwords");
        Path pw = cell.dir().resolve("admin.password");
        Files.writeString(pw, "admin-pw\n");
        LocalCell.Run hashed = cell.chubby(null, "acl", "passwd", "admin", "--file", passwords.toString(),
                "--new-password-file", pw.toString());
        assertEquals(0, hashed.exit(), hashed::toString);
        for (int id = 1; id <= 3; id++) {
            Path acl = cell.dir().resolve("replica-" + id).resolve("etc").resolve("io.chubby.acl.cfg");
            Files.writeString(acl, Files.readString(acl) + "acl.passwords.file=" + passwords + "\n");
        }
        String http = cell.master().orElseThrow().get("http");
        assertTrue(http != null && http.startsWith("http://"), "cell status names the HTTP address: " + http);
        HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String auth = "Basic " + Base64.getEncoder().encodeToString("admin:admin-pw".getBytes(StandardCharsets.UTF_8));
        String[] last = {""};
        String page = cell.await("the console's cell page with every replica answering", () -> {
            try {
                HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(http + "/system/console/chubby-cell"))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", auth).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                last[0] = r.statusCode() + " " + r.body();
                return r.statusCode() == 200 && !r.body().contains("<td>down</td>") ? r.body() : null;
            } catch (java.io.IOException e) {
                last[0] = e.toString();
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }, 60_000);
        assertEquals(2, count(page, "<td>replica</td>"), () -> "two replicas and the master: " + last[0]);
        assertEquals(1, count(page, "<td>master</td>"), page);

        // the same cell without the TLS variables: refused at the handshake, nothing served
        Map<String, String> saved = Map.copyOf(cell.env);
        cell.env.clear();
        LocalCell.Run plain = cell.chubby(null, "--timeout", "3", "cat", "/ls/local/secured");
        assertEquals(21, plain.exit(), plain::toString);
        assertEquals(1, plain.errLines().size(), plain::toString);
        cell.env.putAll(saved);
        assertTrue(anyLogContains("TLS handshake refused, closing connection transport=client"), cell::logs);

        LocalCell.Run again = cell.up();
        assertEquals(0, again.exit(), () -> again + cell.logs());
        assertTrue(again.out().contains("tls: reusing the CA and certificates"), again::toString);
        assertTrue(again.out().contains("export CHUBBY_TLS_CA="), again::toString);

        // replica 3 comes back with a certificate of another CA
        long pid3 = cell.pid(3).orElseThrow();
        ProcessHandle.of(pid3).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().join();
        });
        TestCa other = TestCa.create(cell.dir().resolve("other-ca"), "other-ca");
        TestCa.Issued bad = other.issue("replica-3.local");
        Files.copy(bad.cert(), cell.dir().resolve("tls/replica-3.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(bad.key(), cell.dir().resolve("tls/replica-3.key"), StandardCopyOption.REPLACE_EXISTING);
        LocalCell.Run rejoin = cell.up("--wait", "20");
        assertNotEquals(0, rejoin.exit(), "replica 3 must not be reachable with the cell's CA: " + rejoin);
        assertTrue(cell.pid(3).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false),
                "replica 3 runs, refused: " + rejoin);
        cell.await("replicas 1 and 2 to refuse replica 3's peer links",
                () -> peerRefusedIn(1) || peerRefusedIn(2) ? Boolean.TRUE : null, 60_000);
        Map<String, String> master = cell.await("a master among 1 and 2", () -> cell.master().orElse(null), 60_000);
        assertNotEquals("3", master.get("replica"), master::toString);
        assertEquals(0, cell.chubby(null, "put", "/ls/local/secured", "v2").exit(), cell::logs);
        assertEquals("v2", cell.chubby(null, "cat", "/ls/local/secured").out());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private boolean peerRefusedIn(int replica) {
        return logOf(replica).contains("TLS handshake refused, closing connection transport=peer");
    }

    private boolean anyLogContains(String text) {
        for (int i = 1; i <= 3; i++) {
            if (logOf(i).contains(text)) {
                return true;
            }
        }
        return false;
    }

    private String logOf(int replica) {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("replica.log", "console.log")) {
            Path f = cell.dir().resolve("replica-" + replica).resolve("log").resolve(name);
            try {
                if (Files.isRegularFile(f)) {
                    sb.append(Files.readString(f, StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException e) {
                // not written yet
            }
        }
        return sb.toString();
    }
}
