package io.chubby.bench.micro;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.store.internal.BdbStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group commit through the replica's Berkeley DB JE log store: a batch of 1 or 100 entries of 100
 * bytes, committed with or without fsync. One fsync covers a batch whatever its size (that it is
 * exactly one is a unit test, bdb-store's {@code BdbLogStoreTest}); this measures what the batch
 * then costs on this disk. It replaces bdb-store's FsyncCostTest, which printed medians from
 * inside the unit tests. Files go under {@code benchmarks/target/group-commit-bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GroupCommitBench {
    private static final byte[] VALUE = new byte[100];

    @Param({"1", "100"})
    public int entries;

    @Param({"true", "false"})
    public boolean sync;

    private Path dir;
    private BdbStore store;
    private LogStore log;
    private long index;

    @Setup
    public void setup() throws IOException {
        dir = Files.createDirectories(Path.of("benchmarks/target/group-commit-bench")).toAbsolutePath();
        store = BdbStore.open(Files.createTempDirectory(dir, "je-"));
        log = store.logStore();
        log.write(new LogBatch().putEntry(++index, VALUE).sync(true)); // creates the files
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void writeBatch() {
        LogBatch batch = new LogBatch().sync(sync);
        for (int i = 0; i < entries; i++) {
            batch.putEntry(++index, VALUE);
        }
        log.write(batch);
    }
}
