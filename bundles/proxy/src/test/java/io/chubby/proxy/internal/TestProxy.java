package io.chubby.proxy.internal;

import io.chubby.spi.RequestHandler;
import io.chubby.transport.internal.ClientAcceptor;
import io.chubby.transport.internal.ClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real proxy for the end-to-end tests: a {@link ProxyServer} in front of {@code cell}, behind a
 * real client acceptor on a free loopback port (timer 20 ms, margin 800 ms, 5 s call timeout).
 */
final class TestProxy implements AutoCloseable {
    final ProxyServer server;
    final ClientAcceptor acceptor;
    final String address;

    /**
     * @param cell     the cell's client address
     * @param maxLease the longest lease the cell may grant
     * @param limits   proxy.max.sessions and proxy.cache.max.bytes
     */
    TestProxy(String cell, Duration maxLease, ProxyServer.Limits limits) throws Exception {
        int port = freePort();
        address = "127.0.0.1:" + port;
        server = new ProxyServer(new ProxyServer.Settings(cell, address, Duration.ofSeconds(5), maxLease, 800, 20,
                UpstreamTls.PLAINTEXT, ProxyServer.DEFAULT_ACL_REFRESH_MS, limits), Clock.systemUTC());
        RequestHandler h = server.start().get(10, TimeUnit.SECONDS);
        acceptor = new ClientAcceptor(ClientSettings.of(new InetSocketAddress("127.0.0.1", port)), h);
        acceptor.start();
    }

    Map<String, String> metrics() {
        return server.status().getMetricsMap();
    }

    long metric(String name) {
        return Long.parseLong(metrics().get(name));
    }

    @Override
    public void close() {
        acceptor.stop();
        server.close();
    }

    /** A loopback port nobody listens on now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
