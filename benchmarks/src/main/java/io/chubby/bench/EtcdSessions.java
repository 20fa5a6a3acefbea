package io.chubby.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * etcd "sessions": leases (etcd's session mechanism, as used by its concurrency package), TTL 12 s
 * like Chubby's default session lease, kept alive over the lease streams of a few jetcd clients;
 * watches are multiplexed over those clients' watch streams. Reads of workload 9 are KV Range calls
 * on the lease's client, serializable (any member, or a grpc-proxy's cache, answers; may be stale)
 * or linearizable (through the leader's read index).
 *
 * <p>With {@code counters} (plaintext clusters), {@link #describe()} adds what reached the cluster
 * members since the pool was made or, in workload 6b, since the hold began.
 */
final class EtcdSessions implements SessionPool {
    private record Lease(long id, Client client) {
    }

    private final List<Client> clients = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Map<Long, CloseableClient> keepAlives = new ConcurrentHashMap<>();
    private final List<AutoCloseable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final boolean serializable;
    private final java.util.function.Supplier<EtcdCluster.MemberCounters> counters;
    private final java.util.function.Supplier<String> more;
    private volatile EtcdCluster.MemberCounters baseline;
    private volatile long baselineNanos;
    private volatile boolean holding;
    private final java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();

    /** {@code clients}: makes one jetcd client (plain, or TLS + user and password). */
    EtcdSessions(java.util.function.Supplier<Client> clientFactory, int clientCount) {
        this(clientFactory, clientCount, false, null, () -> "");
    }

    /**
     * {@code clientFactory} is called {@code clientCount} times (e.g. each call for the next
     * grpc-proxy); {@code serializable}: how workload 9 reads; {@code counters}: the members'
     * counters, or null; {@code more}: text added to {@link #describe()}.
     */
    EtcdSessions(java.util.function.Supplier<Client> clientFactory, int clientCount, boolean serializable,
                 java.util.function.Supplier<EtcdCluster.MemberCounters> counters, java.util.function.Supplier<String> more) {
        this.serializable = serializable;
        this.counters = counters;
        this.more = more;
        for (int i = 0; i < clientCount; i++) {
            clients.add(clientFactory.get());
        }
        if (counters != null) {
            baseline = counters.get();
            baselineNanos = System.nanoTime();
        }
    }

    @Override
    public CompletableFuture<Object> create() {
        Client c = clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
        return c.getLeaseClient().grant(12).thenApply(r -> new Lease(r.getID(), c));
    }

    @Override
    public CompletableFuture<Void> end(Object session) {
        Lease l = (Lease) session;
        CloseableClient k = keepAlives.remove(l.id());
        if (k != null) {
            k.close();
        }
        return l.client().getLeaseClient().revoke(l.id()).thenApply(r -> null);
    }

    @Override
    public void keepAlive(Object session) {
        Lease l = (Lease) session;
        keepAlives.put(l.id(), l.client().getLeaseClient().keepAlive(l.id(), new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                if (r.getTTL() <= 0) {
                    expired.incrementAndGet();
                } else {
                    answered.incrementAndGet();
                }
            }

            @Override
            public void onError(Throwable t) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, String.valueOf(t));
            }

            @Override
            public void onCompleted() {
            }
        }));
    }

    @Override
    public long keepAlivesAnswered() {
        return answered.get();
    }

    @Override
    public long expired() {
        return expired.get();
    }

    @Override
    public long otherErrors() {
        return errors.get();
    }

    @Override
    public CompletableFuture<Void> watch(Object session, String key, Runnable onChange) {
        Lease l = (Lease) session;
        ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
        // start at the next revision so that a write racing with the watch's creation is still seen
        return l.client().getKVClient().get(k).thenAccept(cur -> {
            long rev = cur.getHeader().getRevision() + 1;
            AtomicInteger fired = new AtomicInteger();
            watchers.add(l.client().getWatchClient().watch(k, WatchOption.builder().withRevision(rev).build(), resp -> {
                for (WatchEvent e : resp.getEvents()) {
                    if (e.getEventType() == WatchEvent.EventType.PUT && fired.getAndIncrement() == 0) {
                        onChange.run();
                    }
                }
            }));
        });
    }

    @Override
    public CompletableFuture<Object> openForRead(Object session, String key) {
        return CompletableFuture.completedFuture(ByteSequence.from(key, StandardCharsets.UTF_8));
    }

    @Override
    public CompletableFuture<Void> read(Object session, Object opened) {
        return ((Lease) session).client().getKVClient()
                .get((ByteSequence) opened, GetOption.builder().withSerializable(serializable).build()).thenApply(r -> null);
    }

    /** Range calls the members handled (every code), or -1 without counters. */
    @Override
    public long cellReads() {
        return counters == null ? -1 : counters.get().ranges();
    }

    @Override
    public String cellReadsNote(long reads, double secs) {
        return String.format(java.util.Locale.ROOT, "the members handled %d Range calls (%.1f/s)",
                reads, reads / secs);
    }

    @Override
    public void holdStarted() {
        if (counters != null) {
            baseline = counters.get();
            baselineNanos = System.nanoTime();
            holding = true;
        }
    }

    @Override
    public String describe() {
        String out = "leases (TTL 12 s) and watches over " + clients.size() + " jetcd clients; reads "
                + (serializable ? "serializable" : "linearizable");
        if (counters != null) {
            EtcdCluster.MemberCounters now = counters.get();
            double secs = (System.nanoTime() - baselineNanos) / 1e9;
            long ka = now.keepAlivesReceived() - baseline.keepAlivesReceived();
            long renewed = now.leasesRenewed() - baseline.leasesRenewed();
            out += String.format(java.util.Locale.ROOT, "; at the members %s (%.0f s; members answering at start/end %d/%d):"
                            + " LeaseKeepAlive messages received %d (%.0f/s), leases renewed by the leader %d (%.0f/s),"
                            + " leases expired at the leader %d, Range calls %d",
                    holding ? "over the hold" : "since the pool was made", secs, baseline.answered(), now.answered(), ka,
                    ka / secs, renewed, renewed / secs, now.leasesExpired() - baseline.leasesExpired(),
                    now.ranges() - baseline.ranges());
        }
        String err = firstError.get();
        return out + more.get() + (err == null ? "" : "; first keep-alive stream error: " + err);
    }

    @Override
    public void close() {
        keepAlives.values().forEach(CloseableClient::close);
        for (AutoCloseable w : watchers) {
            try {
                w.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        clients.forEach(Client::close);
    }
}
