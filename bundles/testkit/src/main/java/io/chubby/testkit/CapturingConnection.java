package io.chubby.testkit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Principal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ClientConnection} that decodes and records every response the server sends, for tests
 * that drive a request handler directly (without a transport). A response that is not a decodable
 * {@link Response} fails the send with an {@link AssertionError}: the server broke the protocol.
 * Like a transport connection, once closed it drops what is sent to it.
 *
 * <p>Threads: any thread may send (the server answers on request, apply and timer threads) and
 * any thread may read; {@link #response} lets a test wait for an answer sent on another thread.
 */
public final class CapturingConnection implements ClientConnection {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final Principal principal;
    private final String clientName;
    // guarded by this
    private final List<Response> sent = new ArrayList<>();
    private final Map<Long, CompletableFuture<Response>> byCall = new HashMap<>();
    private boolean open = true;
    private String closeReason;

    /** An anonymous connection whose client gave no name. */
    public CapturingConnection() {
        this(Principal.ANONYMOUS, "");
    }

    /** A connection the transport authenticated as {@code principal}, from a client called {@code clientName}. */
    public CapturingConnection(Principal principal, String clientName) {
        this.principal = principal;
        this.clientName = clientName;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1:" + (40000 + id % 20000);
    }

    @Override
    public void send(byte[] message) {
        Response r;
        try {
            r = Response.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("server sent an undecodable response", e);
        }
        CompletableFuture<Response> f;
        synchronized (this) {
            if (!open) {
                return;
            }
            sent.add(r);
            f = byCall.computeIfAbsent(r.getCallId(), k -> new CompletableFuture<>());
        }
        f.complete(r); // outside the monitor: a waiting test may call straight back into the server
    }

    @Override
    public synchronized void close(String reason) {
        open = false;
        closeReason = reason;
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public Principal principal() {
        return principal;
    }

    @Override
    public String clientName() {
        return clientName;
    }

    /** The reason given to {@link #close}, or null while open. */
    public synchronized String closeReason() {
        return closeReason;
    }

    /** Every response received so far, in order. */
    public synchronized List<Response> sent() {
        return List.copyOf(sent);
    }

    /** The last response received, or null. */
    public synchronized Response last() {
        return sent.isEmpty() ? null : sent.get(sent.size() - 1);
    }

    /** The latest response to call {@code callId}, or null if none came yet. */
    public synchronized Response forCall(long callId) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).getCallId() == callId) {
                return sent.get(i);
            }
        }
        return null;
    }

    /**
     * Completes with the first response to call {@code callId}: at once if it came already, else
     * when it comes (wait with a timeout, e.g. {@code response(id).get(5, SECONDS)}).
     */
    public synchronized CompletableFuture<Response> response(long callId) {
        return byCall.computeIfAbsent(callId, k -> new CompletableFuture<>());
    }
}
