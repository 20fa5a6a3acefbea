package io.chubby.transport.internal;

import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;
import io.chubby.spi.RequestHandler;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Echoes every request; a request of exactly the bytes "close" is echoed and then closes the connection. */
final class EchoHandler implements RequestHandler {
    static final byte[] CLOSE = "close".getBytes();

    final Set<Long> connected = ConcurrentHashMap.newKeySet();
    final Set<Long> disconnected = ConcurrentHashMap.newKeySet();
    final Map<Long, AtomicInteger> requests = new ConcurrentHashMap<>();
    final Map<Long, String> clientNames = new ConcurrentHashMap<>();
    final Map<Long, Principal> principals = new ConcurrentHashMap<>();
    /** What {@link #leavingNotice} gives (null: none, as a handler without one). */
    volatile byte[] leaving;

    @Override
    public Greeting greeting() {
        return new Greeting("testcell", 7);
    }

    @Override
    public void connected(ClientConnection connection) {
        connected.add(connection.id());
        clientNames.put(connection.id(), connection.clientName());
        principals.put(connection.id(), connection.principal());
    }

    @Override
    public void request(ClientConnection connection, byte[] request) {
        requests.computeIfAbsent(connection.id(), k -> new AtomicInteger()).incrementAndGet();
        connection.send(request);
        if (Arrays.equals(request, CLOSE)) {
            connection.close("client asked to close");
        }
    }

    @Override
    public void disconnected(ClientConnection connection) {
        disconnected.add(connection.id());
    }

    @Override
    public byte[] leavingNotice() {
        return leaving;
    }

    int requestCount() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
