package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.proxy.internal.ProxyServer;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.spi.RequestHandler;
import io.chubby.testkit.Await;
import io.chubby.transport.internal.ClientAcceptor;
import io.chubby.transport.internal.ClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chubby cell status} lists, after the replicas, the proxies registered with the cell: a
 * real proxy ({@link ProxyServer} behind a real acceptor, registering itself) answers its Status
 * live; a registration whose proxy does not answer is shown down with the pid it registered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CellStatusProxiesTest {
    private final Harness h = new Harness();
    private ProxyServer proxy;
    private ClientAcceptor acceptor;
    private ChubbyClient behind;

    @AfterEach
    void stop() {
        if (behind != null) {
            behind.close();
        }
        if (acceptor != null) {
            acceptor.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        h.close();
    }

    private String startProxy(InProcessCell cell) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String address = "127.0.0.1:" + port;
        proxy = new ProxyServer(new ProxyServer.Settings(cell.address(), address, Duration.ofSeconds(5),
                Duration.ofSeconds(60), 2_000, 20), Clock.systemUTC());
        RequestHandler handler = proxy.start().get(10, TimeUnit.SECONDS);
        acceptor = new ClientAcceptor(ClientSettings.of(new InetSocketAddress("127.0.0.1", port)), handler);
        acceptor.start();
        return address;
    }

    @Test
    void statusListsEachRegisteredProxyWithItsLiveFiguresAndASilentOneAsDown() throws Exception {
        InProcessCell cell = h.use(InProcessCell.start());
        String address = startProxy(cell);
        Await.until("the proxy registered", () -> h.exists("/ls/local/proxies/" + address.replace(':', '_')));
        behind = ChubbyClient.connect(ClientOptions.builder().cell(address).clientName("behind the proxy")
                .callTimeout(Duration.ofSeconds(5)).build());
        behind.write("/ls/local/f", "v".getBytes(StandardCharsets.UTF_8));
        // a proxy that registered and died without its file going yet (a permanent file plays it)
        String dead = InProcessReplicas.closedAddress();
        h.observer().write("/ls/local/proxies/" + dead.replace(':', '_'),
                ("address=" + dead + "\npid=4242\n").getBytes(StandardCharsets.UTF_8));

        Result r = h.run("cell", "status", "--cell", cell.address());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("replica=1 address=" + cell.address() + " "), r.out());
        List<String> proxies = lines.subList(1, 3);
        String pid = Long.toString(ProcessHandle.current().pid());
        // clients: connections, the client behind it and the status probe's own; sessions: its client's and its own
        assertTrue(proxies.contains("proxy address=" + address + " pid=" + pid
                + " role=proxy clients=2 client_sessions=1 sessions=2 hit_rate=-"), r.out());
        assertTrue(proxies.contains("proxy address=" + dead
                + " pid=4242 role=down clients=- client_sessions=- sessions=- hit_rate=-"), r.out());
        assertEquals("", r.err());

        acceptor.stop();
        proxy.close();
        proxy = null;
        acceptor = null;
        Result after = h.run("cell", "status", "--cell", cell.address());
        assertEquals(2, after.outLines().size(), "a clean stop deleted the registration: " + after.out());
    }

    @Test
    void withoutProxiesNothingIsAddedAndFormatsAreStable() {
        InProcessCell cell = h.use(InProcessCell.start());
        Result r = h.run("cell", "status", "--cell", cell.address());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.outLines().size(), r.out());
        assertEquals("0.75", ProxyListing.hitRate("3", "1"));
        assertEquals("-", ProxyListing.hitRate("0", "0"));
        assertEquals("-", ProxyListing.hitRate(null, "1"));
        assertEquals("proxy address=- pid=- role=down clients=- client_sessions=- sessions=- hit_rate=-",
                ProxyListing.line(new ProxyListing.Registered("junk", null, null), Optional.empty()));
        assertEquals(java.util.Map.of("address", "a:1", "pid", "2"), ProxyListing.parse("address=a:1\npid=2\nnoise\n"));
    }

    @Test
    void proxyStatusPrintsTheNamedFiguresFirstThenTheRestByName() {
        io.chubby.client.ReplicaStatus s = new io.chubby.client.ReplicaStatus(0, "proxy", 2, 7, 0, 0, 0, 0, false, 3,
                0, "127.0.0.1:7301", 42, java.util.Map.of("upstream_cell", "local", "upstream_master", "127.0.0.1:7001",
                "clients", "2", "client_sessions", "3", "cache_entries", "5", "cache_hits", "3", "cache_misses", "1",
                "sessions_refused", "0", "max_sessions", "32768", "bundle_version", "0.1.0"));
        assertEquals("proxy 127.0.0.1:7301 pid=42 epoch=7 upstream_cell=local upstream_master=127.0.0.1:7001 clients=2"
                + " client_sessions=3 held_keepalives=- group_calls=- cache_entries=5 hit_rate=0.75 opens_passed=-"
                + " absence_entries=- absence_hits=- absence_fills=- principals_carried=- read_grants=- acl_view=- bundle_version=0.1.0 cache_hits=3 cache_misses=1"
                + " max_sessions=32768 sessions_refused=0", ProxyCommand.line("127.0.0.1:7301", s));
    }
}
