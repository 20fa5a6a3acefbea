package io.chubby.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
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
 * watches are multiplexed over those clients' watch streams.
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

    /** {@code clients}: makes one jetcd client (plain, or TLS + user and password). */
    EtcdSessions(java.util.function.Supplier<Client> clientFactory, int clientCount) {
        for (int i = 0; i < clientCount; i++) {
            clients.add(clientFactory.get());
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
    public String describe() {
        return "leases (TTL 12 s) and watches over " + clients.size() + " jetcd clients";
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
