package io.chubby.client.internal;

import io.chubby.api.Stat;
import io.chubby.client.Contents;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmark of the client's consistent cache (package-private, hence this package; it ships in
 * the benchmarks jar only): a hit on cached contents, the operation behind the "5M cached
 * reads/s" target. The lease check is a constant here, so this is the cache's own cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ClientCacheBench {
    private static final String PATH = "/ls/local/bench-read";
    private ClientCache cache;
    private long instance;

    @Setup
    public void setup() {
        cache = new ClientCache(true, () -> true);
        Stat stat = new Stat(7, 1, 0, 0, 0, 100, false, false, "", "", "", 1, 1);
        instance = stat.instance();
        cache.fillContents(PATH, cache.generation(), new byte[100], stat);
        if (cache.contents(PATH, instance) == null) {
            throw new IllegalStateException("cache did not keep the entry");
        }
    }

    @Benchmark
    public Contents hit() {
        return cache.contents(PATH, instance);
    }
}
