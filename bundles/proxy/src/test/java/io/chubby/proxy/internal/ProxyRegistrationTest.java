package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellRequest;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.RequestHandler;
import io.chubby.testkit.Await;
import io.chubby.transport.internal.ClientAcceptor;
import io.chubby.transport.internal.ClientSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxies' registration files ({@link Registration}) against a real cell server in this JVM:
 * each proxy holds {@code /ls/local/proxies/<host_port>} (ephemeral, {@code key=value} contents)
 * while its own session lives; a clean stop deletes it at once; the master ending the proxy's
 * session reaps it and the proxy makes it again under its next session; a cell whose ACLs refuse
 * it leaves the proxy unlisted but serving.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyRegistrationTest {
    private static final long LEASE_MS = 4_000;
    private static final String DIR = "/ls/local/proxies";
    private InProcessCell cell;
    private final List<ProxyServer> servers = new ArrayList<>();
    private final List<ClientAcceptor> acceptors = new ArrayList<>();
    private final List<ChubbyClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        CellSettings d = CellSettings.defaults("local");
        cell = InProcessCell.builder().settings(new CellSettings("local", d.maxContentBytes(), LEASE_MS, 3 * LEASE_MS,
                400, 20)).start();
    }

    @AfterEach
    void stop() {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                // best effort at teardown
            }
        });
        acceptors.forEach(ClientAcceptor::stop);
        servers.forEach(ProxyServer::close);
        cell.close();
    }

    /** A proxy behind a client acceptor; returns its address. */
    private String proxy() throws Exception {
        return proxy(TestProxy.freePort());
    }

    private String proxy(int port) throws Exception {
        String address = "127.0.0.1:" + port;
        ProxyServer server = new ProxyServer(new ProxyServer.Settings(cell.address(), address, Duration.ofSeconds(5),
                Duration.ofMillis(3 * LEASE_MS), 800, 20), Clock.systemUTC());
        servers.add(server);
        RequestHandler h = server.start().get(10, TimeUnit.SECONDS);
        ClientAcceptor a = new ClientAcceptor(ClientSettings.of(new InetSocketAddress("127.0.0.1", port)), h);
        a.start();
        acceptors.add(a);
        return address;
    }

    private ProxyServer server(int k) {
        return servers.get(k);
    }

    private ChubbyClient client(String spec) {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(spec).callTimeout(Duration.ofSeconds(5))
                .clientName("reg-" + clients.size()).build());
        clients.add(c);
        return c;
    }

    private static List<String> names(ChubbyClient c) {
        if (!c.exists(DIR)) {
            return List.of();
        }
        return c.list(DIR).stream().map(DirEntry::name).sorted().toList();
    }

    @Test
    void eachProxyHoldsAnEphemeralFileNamingItAndACleanStopDeletesIt() throws Exception {
        String a = proxy();
        String b = proxy();
        ChubbyClient direct = client(cell.address());
        String fa = a.replace(':', '_');
        String fb = b.replace(':', '_');
        Await.until("both proxies registered", () -> names(direct).size() == 2);
        assertEquals(List.of(fa, fb).stream().sorted().toList(), names(direct));

        Stat st = direct.stat(DIR + "/" + fa);
        assertTrue(st.ephemeral(), "held by the proxy's session, so it goes with it");
        String text = new String(direct.read(DIR + "/" + fa), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("address=" + a + "\n"), text);
        assertTrue(text.contains("\npid=" + ProcessHandle.current().pid() + "\n"), text);
        String started = text.lines().filter(l -> l.startsWith("started=")).findFirst().orElseThrow();
        assertTrue(Instant.parse(started.substring("started=".length())).isBefore(Instant.now().plusSeconds(1)));
        assertTrue(text.contains("\nversion="), text);
        assertTrue(server(0).registered());

        acceptors.get(0).stop();
        server(0).close();
        assertEquals(List.of(fb), names(direct), "a clean stop deletes the file before it returns");
    }

    @Test
    void whenTheMasterEndsTheProxysSessionTheFileGoesAndTheNextSessionMakesItAgain() throws Exception {
        String a = proxy();
        ChubbyClient direct = client(cell.address());
        String file = DIR + "/" + a.replace(':', '_');
        Await.until("registered", () -> direct.exists(file));
        long before = direct.stat(file).instance();

        cell.isolate(); // the proxy renews nothing: the master ends its session and reaps the file
        Thread.sleep(3 * LEASE_MS + 1_000);
        cell.heal();

        ChubbyClient after = client(cell.address()); // the first client's session expired too
        Await.until("registered again under a new session", Duration.ofSeconds(30),
                () -> after.exists(file) && after.stat(file).instance() != before);
        assertNotEquals(before, after.stat(file).instance(), "a new node: the old one went with the old session");
        assertEquals(1, names(after).size());
    }

    @Test
    void aCellWhoseAclsRefuseTheProxyLeavesItUnlistedButServing() throws Exception {
        cell.server().addAuthorizer(new Authorizer() {
            @Override
            public Decision authorize(CellRequest request, NamespaceView namespace) {
                return request.creates() && request.path() != null && request.path().cellRelative().startsWith("/proxies")
                        ? Decision.deny("no proxies here") : Decision.allow();
            }
        }, 0, 1);
        String a = proxy();
        ChubbyClient behind = client(a);
        behind.write("/ls/local/f", "through the proxy".getBytes(StandardCharsets.UTF_8));
        ChubbyClient direct = client(cell.address());
        assertEquals("through the proxy", new String(direct.read("/ls/local/f"), StandardCharsets.UTF_8));
        Thread.sleep(1_000);
        assertFalse(server(0).registered());
        assertFalse(direct.exists(DIR), "nothing was created");
        assertEquals("1", server(0).status().getMetricsMap().get("client_sessions"), "serving its client");
    }

    @Test
    void namesAndContentsFollowTheDocumentedFormat() {
        assertEquals("127.0.0.1_7201", Registration.fileName("127.0.0.1:7201"));
        assertEquals("proxy-a.example.org_7201", Registration.fileName("proxy-a.example.org:7201"));
        assertEquals("___1__7201", Registration.fileName("[::1]:7201"));
        assertEquals("/ls/east/proxies/10.0.0.5_7201", Registration.path("east", "10.0.0.5:7201"));
        assertEquals("address=10.0.0.5:7201\npid=42\nstarted=2026-01-02T03:04:05Z\nversion=1.2.3\n",
                Registration.contents("10.0.0.5:7201", 42, Instant.parse("2026-01-02T03:04:05Z"), "1.2.3"));
    }
}
