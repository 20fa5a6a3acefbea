package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ClientOptions;
import io.chubby.client.MasterChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;

/**
 * The public {@link MasterChannel} ({@code ChubbyClient.openChannel}): each raw call goes to the
 * master of the partition its {@code Request.partition} names ({@link RequestPartition}), through
 * that partition's {@link MasterFollower}; the followers share one {@link MasterDiscovery} (the
 * partition map, one connection per replica). Partition 0's follower exists from the start, the
 * others from the first call routed to them. In a cell of one partition every call names
 * partition 0 and the channel is partition 0's follower, as before partitions.
 *
 * <p>A call naming partition p > 0 before the channel knows the map waits until partition 0's
 * master was looked for (that answer carries the map). A partition the map does not have (p >= N,
 * or any p > 0 in a cell of one partition) cannot be routed right: the call fails CELL_UNAVAILABLE
 * without being sent, saying so. {@link #epoch()} and {@link #masterAddress()} are partition 0's;
 * {@link #relocate()} applies to every partition's follower, {@link #relocate(int)} to one.
 *
 * <p>Thread-safe: the followers are a concurrent map; {@code closed} is volatile, set once under {@code this}.
 */
public final class PartitionedChannel implements MasterChannel {
    private final ClientOptions options;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService pool;
    private final Executor callbacks;
    private final MasterDiscovery discovery;
    private final MasterFollower zero;
    private final Map<Integer, MasterFollower> others = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private PartitionedChannel(ClientOptions options) {
        this.options = options;
        this.timer = Futures.timer("chubby-channel-timer");
        this.pool = Executors.newCachedThreadPool(Futures.daemon("chubby-channel-callback"));
        this.callbacks = Futures.inlineWhenShutDown(pool);
        this.discovery = new MasterDiscovery(options, timer);
        this.zero = new MasterFollower(discovery, 0, options, timer, callbacks);
    }

    /**
     * A channel with threads of its own (a timer, callback threads; MINA's I/O thread once it
     * connects), all stopped by {@link #close()}. Does no I/O until the first call.
     */
    public static MasterChannel open(ClientOptions options) {
        return new PartitionedChannel(options);
    }

    @Override
    public CompletableFuture<byte[]> call(byte[] request, Retry retry) {
        return call(request, retry, options.callTimeout());
    }

    @Override
    public CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout) {
        return route(request, f -> f.call(request, retry, timeout));
    }

    @Override
    public CompletableFuture<byte[]> callDirect(byte[] request, Retry retry, Duration timeout) {
        return route(request, f -> f.callDirect(request, retry, timeout));
    }

    private CompletableFuture<byte[]> route(byte[] request, Function<MasterFollower, CompletableFuture<byte[]>> send) {
        if (request == null) {
            return send.apply(zero); // the follower says what is wrong with it
        }
        int p = RequestPartition.of(request);
        if (p == 0) {
            return send.apply(zero);
        }
        if (discovery.map().partitioned()) {
            return routeTo(p, send);
        }
        return zero.located().thenCompose(located -> routeTo(p, send)); // the map comes with partition 0's master
    }

    private CompletableFuture<byte[]> routeTo(int p, Function<MasterFollower, CompletableFuture<byte[]>> send) {
        int n = discovery.map().count();
        if (p >= n) {
            return Futures.failed(new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the request is routed to partition "
                    + p + ", but the cell has " + n + (n == 1 ? " partition" : " partitions")
                    + " (as its replicas last said): not sent"));
        }
        return send.apply(follower(p));
    }

    private MasterFollower follower(int p) {
        MasterFollower f = others.computeIfAbsent(p, q -> new MasterFollower(discovery, q, options, timer, callbacks));
        if (closed) {
            f.close(); // created while close() ran: its calls fail CANCELLED
        }
        return f;
    }

    @Override
    public long epoch() {
        return zero.epoch();
    }

    @Override
    public Optional<String> masterAddress() {
        return zero.masterAddress();
    }

    @Override
    public void relocate() {
        zero.relocate();
        others.values().forEach(MasterFollower::relocate);
    }

    @Override
    public void relocate(int partition) {
        MasterFollower f = partition == 0 ? zero : others.get(partition);
        if (f != null) {
            f.relocate(); // a partition never called has no connection to give up
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        zero.close();
        others.values().forEach(MasterFollower::close);
        discovery.close(); // closes every connection it pooled
        timer.shutdownNow();
        pool.shutdown();
    }
}
