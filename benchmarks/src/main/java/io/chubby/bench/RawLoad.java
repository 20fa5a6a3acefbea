package io.chubby.bench;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The multiplexing load generator: many Chubby sessions carried over a few raw connections to the
 * master, each kept alive the way the client library does it (the master holds a KeepAlive until
 * shortly before the lease ends; the next one is sent as soon as the reply arrives). Events and
 * cache invalidations that arrive on KeepAlive replies are acknowledged on the next KeepAlive.
 */
final class RawLoad implements AutoCloseable {
    /** One session of the load generator; its KeepAlive chain runs while {@code live}. */
    final class Session {
        final long id;
        volatile long epoch;
        volatile RawConnection conn;
        volatile boolean live = true;
        /** When the session last heard from a master (nanoTime); it gives up after the grace period. */
        volatile long lastOk = System.nanoTime();
        private long ackedSeq;
        private final List<Long> toAck = new ArrayList<>();

        Session(long id, long epoch, RawConnection conn) {
            this.id = id;
            this.epoch = epoch;
            this.conn = conn;
        }

        Request.Builder req() {
            return Request.newBuilder().setSessionId(id).setEpoch(epoch);
        }

        CompletableFuture<Response> call(Request.Builder r) {
            return conn.call(r);
        }

        /** Opens {@code path} (read, create MAY), subscribing to {@code eventMask}; completes with the handle. */
        CompletableFuture<ByteString> open(String path, int eventMask) {
            return retrying(() -> {
                rehome();
                return call(req().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(1 | 2)
                        .setCreate(io.chubby.protocol.Create.CREATE_MAY).setEventMask(eventMask)))
                        .thenApply(r -> ok(r).getOpen().getHandle());
            }, 50);
        }

        /** Points the session at the master as last seen (after a failover: new connection, new epoch). */
        private void rehome() {
            MasterRef m = master();
            if (m.epoch() != epoch || conn.isClosed()) {
                conn = connection(id);
                epoch = m.epoch();
            }
        }

        CompletableFuture<Response> read(ByteString handle) {
            return call(req().setGetContents(GetContentsRequest.newBuilder().setHandle(handle))).thenApply(RawLoad::ok);
        }

        private synchronized KeepAliveRequest.Builder keepAlive() {
            KeepAliveRequest.Builder k = KeepAliveRequest.newBuilder().setAckedEventSeq(ackedSeq).addAllAckedInvalidations(toAck);
            toAck.clear();
            return k;
        }

        private synchronized void received(Response r) {
            for (EventMessage e : r.getKeepAlive().getEventsList()) {
                ackedSeq = Math.max(ackedSeq, e.getSeq());
            }
            for (Invalidation i : r.getKeepAlive().getInvalidationsList()) {
                toAck.add(i.getId());
            }
        }

        void keepAliveLoop() {
            if (!live || closed) {
                return;
            }
            RawConnection sentOn = conn;
            call(req().setKeepAlive(keepAlive())).whenComplete((r, e) -> {
                if (e != null) {
                    relocate(this, sentOn); // connection lost: the master may have moved
                    return;
                }
                if (r.hasError()) {
                    ErrorCode code = ErrorCode.fromWire(r.getError().getCode());
                    if (code == ErrorCode.SESSION_EXPIRED) {
                        expired.incrementAndGet();
                        live = false;
                    } else if (code.relocate()) {
                        relocate(this, sentOn); // like the client library: find the master, carry on
                    } else {
                        otherErrors.incrementAndGet();
                        live = false;
                    }
                    return;
                }
                lastOk = System.nanoTime();
                keepAlives.incrementAndGet();
                received(r);
                BiConsumer<Session, Response> l = listener;
                if (l != null && r.getKeepAlive().getEventsCount() > 0) {
                    l.accept(this, r);
                }
                keepAliveLoop();
            });
        }

        CompletableFuture<Void> close() {
            live = false;
            return call(req().setCloseSession(CloseSessionRequest.getDefaultInstance())).thenApply(r -> null);
        }
    }

    /** Where the master is: its client address and epoch. */
    record MasterRef(String address, long epoch) {
    }

    /** Grace period after which a session that cannot reach any master is given up (the client's default). */
    static final long GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(45);

    private List<RawConnection> conns = new ArrayList<>();
    private final int connectionCount;
    private final java.util.function.Supplier<MasterRef> finder;
    private MasterRef master;
    private long masterCheckedAt;
    private final java.util.concurrent.ScheduledExecutorService retry =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raw-load-relocate");
                t.setDaemon(true);
                return t;
            });
    final AtomicLong relocations = new AtomicLong();
    final AtomicLong givenUp = new AtomicLong();
    final ConcurrentLinkedQueue<Session> sessions = new ConcurrentLinkedQueue<>();
    final AtomicLong keepAlives = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong otherErrors = new AtomicLong();
    volatile BiConsumer<Session, Response> listener;
    private volatile boolean closed;
    private int next;

    private final RawConnection.Login login;
    /** Fixed endpoints (Chubby proxies), connection i to endpoint i mod n; null: every connection to the master. */
    private final List<String> endpoints;

    RawLoad(java.util.function.Supplier<MasterRef> finder, int connections) throws Exception {
        this(finder, connections, null);
    }

    /** {@code login}: TLS and a password login on every connection, or null for plaintext and anonymous. */
    RawLoad(java.util.function.Supplier<MasterRef> finder, int connections, RawConnection.Login login) throws Exception {
        this(finder, connections, login, null);
    }

    /**
     * {@code endpoints}: Chubby proxies to spread the connections over (connection i to endpoint
     * i mod n, so sessions are spread by id), which follow the master themselves; the finder then
     * only gives the epoch. Null: every connection goes to the master the finder names.
     */
    RawLoad(java.util.function.Supplier<MasterRef> finder, int connections, RawConnection.Login login,
            List<String> endpoints) throws Exception {
        this.finder = finder;
        this.connectionCount = connections;
        this.login = login;
        this.endpoints = endpoints == null ? null : List.copyOf(endpoints);
        this.master = finder.get();
        this.masterCheckedAt = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            conns.add(new RawConnection(addressOf(i, master), login));
        }
    }

    private String addressOf(int connection, MasterRef m) {
        return endpoints == null ? m.address() : endpoints.get(connection % endpoints.size());
    }

    /** The principal the master bound the first connection to. */
    synchronized String principal() {
        return conns.get(0).principal();
    }

    /**
     * The master may have moved: asks the cell at most every 200 ms, reconnects when the master's
     * address changed or {@code failed} is one of ours, and re-sends the session's KeepAlive there
     * with the new epoch. A session that found no master for the grace period is given up.
     */
    private void relocate(Session s, RawConnection failed) {
        if (closed) {
            return;
        }
        if (System.nanoTime() - s.lastOk > GRACE_NANOS) {
            givenUp.incrementAndGet();
            s.live = false;
            return;
        }
        retry.schedule(() -> {
            try {
                MasterRef m = currentMaster(failed);
                s.conn = connection(s.id);
                s.epoch = m.epoch();
                relocations.incrementAndGet();
                s.keepAliveLoop();
            } catch (RuntimeException e) {
                relocate(s, failed);
            }
        }, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private synchronized MasterRef currentMaster(RawConnection failed) {
        boolean broken = failed != null && failed.isClosed() && conns.contains(failed);
        if (System.nanoTime() - masterCheckedAt > 200_000_000L || broken) {
            MasterRef m = finder.get();
            masterCheckedAt = System.nanoTime();
            if (endpoints == null && !m.address().equals(master.address()) || broken) {
                List<RawConnection> fresh = new ArrayList<>();
                try {
                    for (int i = 0; i < connectionCount; i++) {
                        fresh.add(new RawConnection(addressOf(i, m), login));
                    }
                } catch (Exception e) {
                    fresh.forEach(RawConnection::close);
                    throw new IllegalStateException("cannot connect to the master at " + m.address(), e);
                }
                List<RawConnection> old = conns;
                conns = fresh;
                old.forEach(RawConnection::close);
            }
            master = m;
        }
        return master;
    }

    /**
     * The answer, or an exception: {@link Relocate} when the call should go again at the master.
     * Its callers (Open with create MAY, CreateSession) are safe to repeat, so an OUTCOME_UNKNOWN
     * answer (the master lost mastership meanwhile) is retried too; a write would not be.
     */
    static Response ok(Response r) {
        ErrorCode code = r.hasError() ? ErrorCode.fromWire(r.getError().getCode()) : null;
        if (code != null && (code.relocate() || code == ErrorCode.OUTCOME_UNKNOWN)) {
            throw new Relocate(code + ": " + r.getError().getMessage());
        }
        if (r.hasError()) {
            throw new IllegalStateException(ErrorCode.fromWire(r.getError().getCode()) + ": " + r.getError().getMessage());
        }
        return r;
    }

    synchronized MasterRef master() {
        return master;
    }

    private synchronized RawConnection connection(long sessionId) {
        return conns.get((int) Math.floorMod(sessionId, (long) conns.size()));
    }

    /**
     * Runs {@code call} again (after finding the master again) while it fails because the master
     * moved or could not be reached, at most {@code attempts} times: what the client library does.
     */
    <T> CompletableFuture<T> retrying(java.util.function.Supplier<CompletableFuture<T>> call, int attempts) {
        CompletableFuture<T> out = new CompletableFuture<>();
        call.get().whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
                return;
            }
            Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            boolean moved = c instanceof java.io.IOException || (c instanceof Relocate);
            if (!moved || attempts <= 1 || closed) {
                out.completeExceptionally(c);
                return;
            }
            retry.schedule(() -> {
                try {
                    currentMaster(null);
                    retrying(call, attempts - 1).whenComplete((v2, e2) -> {
                        if (e2 != null) {
                            out.completeExceptionally(e2);
                        } else {
                            out.complete(v2);
                        }
                    });
                } catch (RuntimeException again) {
                    out.completeExceptionally(again);
                }
            }, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
        return out;
    }

    /** An answer telling the caller to find the master again. */
    static final class Relocate extends IllegalStateException {
        Relocate(String message) {
            super(message);
        }
    }

    private synchronized RawConnection nextConn() {
        return conns.get(next++ % conns.size());
    }

    /** CreateSession on the next connection (round robin); does not start its KeepAlives. */
    CompletableFuture<Session> createSession() {
        return retrying(() -> {
            RawConnection c = nextConn();
            return c.call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder().setClientName("bench")))
                    .thenApply(r -> {
                        ok(r);
                        Session s = new Session(r.getCreateSession().getSessionId(), r.getCreateSession().getEpoch(), c);
                        sessions.add(s);
                        return s;
                    });
        }, 50);
    }

    @Override
    public void close() {
        closed = true;
        retry.shutdownNow();
        synchronized (this) {
            conns.forEach(RawConnection::close);
        }
    }
}
