package io.chubby.bench;

import com.google.protobuf.ByteString;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Chubby sessions for the session workloads: {@link RawLoad} sessions multiplexed over a few connections. */
final class ChubbySessions implements SessionPool {
    private final RawLoad load;
    private final int connections;
    private final RawConnection.Login login;
    private final int proxies;
    private final java.util.function.Supplier<String> more;
    private java.util.function.LongSupplier cellReads = () -> -1;
    /** Per session and path: what to run when the CONTENTS_MODIFIED event arrives. */
    private final Map<RawLoad.Session, Map<String, Runnable>> watches = new ConcurrentHashMap<>();

    ChubbySessions(java.util.function.Supplier<RawLoad.MasterRef> finder, int connections) throws Exception {
        this(finder, connections, null);
    }

    /** {@code login}: TLS and password login on each connection (null: plaintext, anonymous). */
    ChubbySessions(java.util.function.Supplier<RawLoad.MasterRef> finder, int connections, RawConnection.Login login)
            throws Exception {
        this(finder, connections, login, null, () -> "");
    }

    /**
     * {@code proxies}: Chubby proxies the connections are spread over (null: the master);
     * {@code more}: text added to {@link #describe()} when it is asked (e.g. the master's KeepAlive rate).
     */
    ChubbySessions(java.util.function.Supplier<RawLoad.MasterRef> finder, int connections, RawConnection.Login login,
                   java.util.List<String> proxies, java.util.function.Supplier<String> more) throws Exception {
        this.load = new RawLoad(finder, connections, login, proxies);
        this.proxies = proxies == null ? 0 : proxies.size();
        this.more = more;
        this.login = login;
        this.connections = connections;
        load.listener = (s, r) -> {
            Map<String, Runnable> w = watches.get(s);
            if (w == null) {
                return;
            }
            for (EventMessage e : r.getKeepAlive().getEventsList()) {
                if (e.getKind() == EventKind.CONTENTS_MODIFIED) {
                    Runnable run = w.remove(e.getPath());
                    if (run != null) {
                        run.run();
                    }
                }
            }
        };
    }

    @Override
    public CompletableFuture<Object> create() {
        return load.createSession().thenApply(s -> s);
    }

    @Override
    public CompletableFuture<Void> end(Object session) {
        return ((RawLoad.Session) session).close();
    }

    /**
     * Starts the KeepAlive chain and opens one handle, as a real client holds: the master ends a
     * session with no handles and no calls after cell.session.idle.ms (60 s) as idle.
     */
    @Override
    public void keepAlive(Object session) {
        RawLoad.Session s = (RawLoad.Session) session;
        s.keepAliveLoop();
        s.open(ChubbyCell.DIR + "bench-held", 0).whenComplete((h, e) -> {
            if (e != null) {
                openFailures.incrementAndGet();
            }
        });
    }

    private final java.util.concurrent.atomic.AtomicLong openFailures = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long keepAlivesAnswered() {
        return load.keepAlives.get();
    }

    @Override
    public long expired() {
        return load.expired.get();
    }

    @Override
    public long otherErrors() {
        return load.otherErrors.get() + load.givenUp.get();
    }

    @Override
    public CompletableFuture<Void> watch(Object session, String key, Runnable onChange) {
        RawLoad.Session s = (RawLoad.Session) session;
        String path = ChubbyCell.DIR + key;
        CompletableFuture<ByteString> opened = s.open(path, 1 << EventKind.CONTENTS_MODIFIED_VALUE);
        return opened.thenAccept(h -> {
            // events name the path as the master reports it; register both spellings
            Map<String, Runnable> w = watches.computeIfAbsent(s, x -> new ConcurrentHashMap<>());
            Runnable once = new Runnable() {
                private final java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();

                @Override
                public void run() {
                    if (ran.compareAndSet(false, true)) {
                        onChange.run();
                    }
                }
            };
            w.put(path, once);
            w.put(ChubbyCell.REL + key, once);
        });
    }

    @Override
    public CompletableFuture<Object> openForRead(Object session, String key) {
        return ((RawLoad.Session) session).open(ChubbyCell.DIR + key, 0).thenApply(h -> h);
    }

    @Override
    public CompletableFuture<Void> read(Object session, Object opened) {
        return ((RawLoad.Session) session).read((ByteString) opened).thenApply(r -> null);
    }

    @Override
    public long cellReads() {
        return cellReads.getAsLong();
    }

    @Override
    public String describe() {
        return "raw protocol, sessions multiplexed over " + connections + (login == null ? "" : " TLS")
                + " connections" + (proxies == 0 ? "" : " to " + proxies + " Chubby proxies")
                + (login == null ? "" : " (principal " + load.principal() + ")") + ", one open handle per file a session watches or reads ("
                + openFailures.get() + " Opens failed); "
                + load.relocations.get() + " KeepAlives re-sent after the master moved" + more.get();
    }

    /** Where {@link #cellReads()} comes from (e.g. the proxies' upstream reads). */
    ChubbySessions countingCellReads(java.util.function.LongSupplier reads) {
        this.cellReads = reads;
        return this;
    }

    @Override
    public void close() {
        load.close();
    }
}
