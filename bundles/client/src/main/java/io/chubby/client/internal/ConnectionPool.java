package io.chubby.client.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * At most one connection in use per replica address, shared by the followers of every partition
 * that replica masters (docs/PARTITIONING.md section 3). A follower {@link #acquire acquires} its
 * master's connection and {@link #release releases} it when it moves on; a connection nobody holds
 * any more closes after a grace (the call timeout: calls still in flight on it get their answers),
 * unless it is acquired again meanwhile. A connection that closed is replaced at the next acquire.
 *
 * <p>Thread-safe: guarded by {@code this}.
 */
final class ConnectionPool {
    private static final class Entry {
        final CompletableFuture<Connection> connection;
        int holders;

        Entry(CompletableFuture<Connection> connection) {
            this.connection = connection;
        }

        boolean usable() {
            if (!connection.isDone()) {
                return true;
            }
            Connection c = connection.isCompletedExceptionally() ? null : connection.join();
            return c != null && c.isOpen();
        }
    }

    private final Function<String, CompletableFuture<Connection>> connect;
    private final ScheduledExecutorService timer;
    private final long graceMs;
    private final Map<String, Entry> byAddress = new HashMap<>();

    /** {@code connect} opens a served connection (Hello done) to an address. */
    ConnectionPool(Function<String, CompletableFuture<Connection>> connect, ScheduledExecutorService timer,
                   long graceMs) {
        this.connect = connect;
        this.timer = timer;
        this.graceMs = graceMs;
    }

    /** The open (or opening) connection to {@code address}, opened if there is none; the caller holds it. */
    CompletableFuture<Connection> acquire(String address) {
        CompletableFuture<Connection> opening;
        synchronized (this) {
            Entry e = byAddress.get(address);
            if (e != null && e.usable()) {
                e.holders++;
                return e.connection;
            }
            opening = new CompletableFuture<>();
            Entry fresh = new Entry(opening);
            fresh.holders = 1;
            byAddress.put(address, fresh);
        }
        connect.apply(address).whenComplete((c, err) -> {
            if (err != null) {
                synchronized (this) {
                    Entry e = byAddress.get(address);
                    if (e != null && e.connection == opening) {
                        byAddress.remove(address);
                    }
                }
                opening.completeExceptionally(err);
            } else {
                opening.complete(c);
            }
        });
        return opening;
    }

    /**
     * Takes {@code c} (found by asking its replica, so already open and served) as the connection
     * to its address, held by the caller; if another usable one is pooled there, {@code c} is
     * closed and that one is held instead.
     */
    synchronized CompletableFuture<Connection> adopt(Connection c) {
        Entry e = byAddress.get(c.address());
        if (e != null && e.usable()) {
            e.holders++;
            c.close();
            return e.connection;
        }
        Entry fresh = new Entry(CompletableFuture.completedFuture(c));
        fresh.holders = 1;
        byAddress.put(c.address(), fresh);
        return fresh.connection;
    }

    /** The caller no longer holds {@code c}: it closes after the grace unless someone holds it then. */
    void release(Connection c) {
        timer.schedule(() -> {
            boolean close;
            synchronized (this) {
                Entry e = byAddress.get(c.address());
                if (e != null && e.connection.getNow(null) == c) {
                    e.holders--;
                    close = e.holders <= 0;
                    if (close) {
                        byAddress.remove(c.address());
                    }
                } else {
                    close = true; // replaced meanwhile (it had closed): nobody else has it
                }
            }
            if (close) {
                c.close();
            }
        }, graceMs, TimeUnit.MILLISECONDS);
    }

    /** Closes every pooled connection. */
    void closeAll() {
        Map<String, Entry> all;
        synchronized (this) {
            all = new HashMap<>(byAddress);
            byAddress.clear();
        }
        for (Entry e : all.values()) {
            e.connection.thenAccept(Connection::close);
        }
    }
}
