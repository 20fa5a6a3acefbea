package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 22's operator console in a real browser: a three-replica cell made by {@code cell up}, each
 * replica given a console password (PID {@code io.chubby.console}), a file, a held lock and two
 * sessions made by the test; Debian's headless Chromium loads every page of the Felix Web Console
 * on the replicas' HTTP ports and the test checks what each shows (the master on every replica's
 * cell page, the file and its contents in the namespace browser, the lock's holder and waiter, the
 * sessions), that a {@code <script>} the test put in a client name and in the file shows as text,
 * and the bundles page; screenshots go to {@code target/console-it/}, the cell page's also to
 * {@code docs/img/console-cell.png} when {@code -Dchubby.it.readme.screenshot=true}. Over plain HTTP: no credentials 401 (the bundles page too,
 * so nothing can be installed), a wrong password 401, POST on a page 405, a path below a page and
 * an unknown page 404. Last, the acl bundle configured with a passwords file (the cell
 * authenticates): the superuser root gets in with the cell's login, bob (no admin permission) 403,
 * a wrong password and the console's own password 401.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleIT {
    private static final long DEADLINE_MS = 30_000;
    private static final String PASSWORD = "console-it secret";
    private static final String EVIL = "<script>alert(1)</script>";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path shots = Paths.get("target", "console-it");
    private final List<AutoCloseable> clients = new ArrayList<>();
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void everyPageInHeadlessChromium() throws Exception {
        long started = System.nanoTime();
        cell = new LocalCell(3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        // the console's own password, salted, written into each replica's configuration by the CLI
        List<String> passwd = new ArrayList<>(List.of("console", "passwd"));
        for (int id = 1; id <= 3; id++) {
            passwd.add("--config");
            passwd.add(cell.dir().resolve("replica-" + id).resolve("etc").resolve("io.chubby.console.cfg").toString());
        }
        LocalCell.Run set = cell.chubby((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), passwd.toArray(String[]::new));
        assertEquals(0, set.exit(), set::toString);
        Files.createDirectories(shots);

        ChubbyClient holder = client("console-it holder " + EVIL);
        ChubbyClient waiter = client("console-it waiter");
        holder.mkdir("/ls/local/console-it");
        holder.write("/ls/local/console-it/notes.txt", ("written by ConsoleIT " + EVIL).getBytes(StandardCharsets.UTF_8));
        Handle held = holder.open("/ls/local/console-it/leader", OpenOptions.write().withCreate(CreateMode.MAY));
        clients.add(0, held);
        assertTrue(held.acquire(LockMode.EXCLUSIVE, Duration.ofSeconds(10)));
        Handle waiting = waiter.open("/ls/local/console-it/leader", OpenOptions.write());
        clients.add(0, waiting);
        var queued = waiting.acquireAsync(LockMode.EXCLUSIVE, Duration.ofSeconds(120));
        List<Map<String, String>> lines = cell.await("3 replicas converged", cell::converged, DEADLINE_MS);
        String master = lines.stream().filter(m -> "master".equals(m.get("role"))).findFirst().orElseThrow()
                .get("replica");

        // the cell page on every replica names the master and agrees on the checksums
        for (Map<String, String> line : lines) {
            String base = line.get("http");
            String dom = page(base, "chubby-cell", "Master: <b>replica " + master + "</b>");
            assertTrue(dom.contains("Checksums: agree"), dom);
            assertEquals(3, count(dom, "<td>127.0.0.1:"), dom);
            assertTrue(dom.contains("<td>this replica</td>"), dom);
            screenshot(base, "chubby-cell", "cell-replica-" + line.get("replica"));
        }
        Path cellShot = shots.resolve("cell-replica-" + master + ".png");
        assertTrue(Files.size(cellShot) > 0, "the cell page's screenshot");
        if (Boolean.getBoolean("chubby.it.readme.screenshot")) {
            // only when asked: a test run leaves the source tree as it found it
            Path docs = Paths.get(System.getProperty("chubby.repo", "..")).resolve("docs").resolve("img");
            Files.createDirectories(docs);
            Files.copy(cellShot, docs.resolve("console-cell.png"), StandardCopyOption.REPLACE_EXISTING);
        }

        String base = lines.get(0).get("http");
        String dir = page(base, "chubby-namespace?path=/console-it", "notes.txt");
        assertTrue(dir.contains("2 children"), dir);
        assertTrue(dir.contains(">leader</a>"), dir);
        screenshot(base, "chubby-namespace?path=/console-it", "namespace-dir");
        String file = page(base, "chubby-namespace?path=/console-it/notes.txt",
                "written by ConsoleIT &lt;script&gt;alert(1)&lt;/script&gt;");
        assertTrue(file.contains("<td>file</td>"), file);
        screenshot(base, "chubby-namespace?path=/console-it/notes.txt", "namespace-file");

        String locks = page(base, "chubby-locks", "session " + holder.sessionId() + " (console-it holder "
                + "&lt;script&gt;alert(1)&lt;/script&gt;, anonymous)");
        assertTrue(locks.contains(">/console-it/leader</a>"), locks);
        assertTrue(locks.contains("session " + waiter.sessionId() + " (console-it waiter, anonymous)"), locks);
        screenshot(base, "chubby-locks", "locks");

        String sessions = page(base, "chubby-sessions", "<td>console-it waiter</td>");
        assertTrue(sessions.contains("<td>" + holder.sessionId() + "</td><td>console-it holder &lt;script&gt;"),
                sessions);
        screenshot(base, "chubby-sessions", "sessions");

        String bundles = page(base, "bundles", "io.chubby.console");
        assertTrue(bundles.contains("io.chubby.cell"), "the bundles page lists the replica's bundles");
        screenshot(base, "bundles", "bundles");
        for (String dom : List.of(dir, file, locks, sessions)) {
            assertFalse(dom.contains(EVIL), "a <script> from user data reached the page:\n" + dom);
        }
        assertFalse(queued.isDone(), "the waiter still waits");

        // over plain HTTP: who gets in, and what a page answers besides GET
        String console = base + "/system/console/";
        assertEquals(401, send("GET", console + "chubby-cell", null).statusCode());
        HttpResponse<String> challenge = send("GET", console + "bundles", null);
        assertEquals(401, challenge.statusCode());
        assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="),
                challenge.headers().map().toString());
        assertEquals(401, send("POST", console + "bundles", null).statusCode(), "no install without login");
        assertEquals(401, send("GET", console + "chubby-cell", "wrong").statusCode());
        assertEquals(200, send("GET", console + "chubby-cell", PASSWORD).statusCode());
        HttpResponse<String> post = send("POST", console + "chubby-cell", PASSWORD);
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertEquals(405, send("DELETE", console + "chubby-locks", PASSWORD).statusCode());
        assertEquals(404, send("GET", console + "chubby-cell/more", PASSWORD).statusCode());
        assertEquals(404, send("GET", console + "chubby-nothing", PASSWORD).statusCode());
        assertEquals(404, send("GET", console + "chubby-namespace?path=/no-such-node", PASSWORD).statusCode());

        // the cell authenticates (the acl bundle with a passwords file): the cell's login and admin
        // permission replace the console's own password; root is a superuser, bob is not
        Path passwords = cell.dir().resolve("console-it-passwords");
        for (String who : List.of("root", "bob")) {
            Path pw = cell.dir().resolve(who + ".password");
            Files.writeString(pw, who + "-pw\n");
            LocalCell.Run hashed = cell.chubby(null, "acl", "passwd", who, "--file", passwords.toString(),
                    "--new-password-file", pw.toString());
            assertEquals(0, hashed.exit(), hashed::toString);
        }
        for (int id = 1; id <= 3; id++) {
            Files.writeString(cell.dir().resolve("replica-" + id).resolve("etc").resolve("io.chubby.acl.cfg"),
                    "acl.superusers=root\nacl.anonymous=true\nacl.passwords.file=" + passwords + "\n");
        }
        cell.await("the console taking root's cell login", () -> {
            try {
                return send("GET", console + "chubby-cell", "root", "root-pw").statusCode() == 200 ? "" : null;
            } catch (Exception e) {
                return null;
            }
        }, DEADLINE_MS);
        HttpResponse<String> bob = send("GET", console + "chubby-cell", "bob", "bob-pw");
        assertEquals(403, bob.statusCode());
        assertTrue(bob.body().contains("bob has no admin permission in this cell"), bob.body());
        assertEquals(401, send("GET", console + "chubby-cell", "root", "wrong").statusCode());
        assertEquals(401, send("GET", console + "chubby-cell", PASSWORD).statusCode(),
                "the console's own password no longer opens it");
        String asRoot = chromium(List.of("--dump-dom", base.replace("http://", "http://root:root-pw@")
                + "/system/console/chubby-sessions"));
        assertTrue(asRoot.contains("<td>console-it waiter</td>"), asRoot);

        System.out.println("ConsoleIT: every page checked in " + (System.nanoTime() - started) / 1_000_000
                + " ms (cell up included); screenshots in " + shots.toAbsolutePath());
    }

    private ChubbyClient client(String name) {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec()).clientName(name)
                .callTimeout(Duration.ofSeconds(30)).build());
        clients.add(c); // closed after the handles, which go first
        return c;
    }

    /** The page's DOM as headless Chromium has it after running its scripts, once it shows {@code expected}. */
    private String page(String base, String page, String expected) throws InterruptedException {
        List<String> last = new ArrayList<>(List.of(""));
        try {
            return cell.await(page + " showing " + expected, () -> {
                String dom = chromium(List.of("--dump-dom", url(base, page)));
                last.set(0, dom);
                return dom.contains(expected) ? dom : null;
            }, DEADLINE_MS);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlast DOM:\n" + last.get(0), e);
        }
    }

    private void screenshot(String base, String page, String name) throws IOException {
        Path png = shots.resolve(name + ".png").toAbsolutePath();
        chromium(List.of("--screenshot=" + png, "--window-size=1280,900", url(base, page)));
        assertTrue(Files.size(png) > 1000, "screenshot " + png);
    }

    private static String url(String base, String page) {
        return base.replace("http://", "http://admin:" + PASSWORD.replace(" ", "%20") + "@") + "/system/console/"
                + page;
    }

    private static String chromium(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + Paths.get("target", "console-it", "chromium-profile").toAbsolutePath()));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish in 30 s: " + cmd);
            }
            assertEquals(0, p.exitValue(), () -> "chromium failed: " + cmd);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run chromium (Debian package chromium; .ci/run installs it): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> send(String method, String url, String password) throws Exception {
        return send(method, url, "admin", password);
    }

    private HttpResponse<String> send(String method, String url, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (password != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
