package io.chubby.bench.micro;

import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.store.internal.BdbStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one durable Paxos log write costs: a one-entry batch (a 160-byte encoded entry, the size
 * of a 100-byte SetContents) committed with fsync through the replica's Berkeley DB JE log store,
 * next to the floor the disk allows, the same bytes appended to a plain file and forced. The
 * difference is JE's own work per commit. Files go under {@code benchmarks/target/durable-bench}
 * (on the disk the replicas use, not tmpfs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DurableWriteBench {
    private static final byte[] ENTRY = new byte[160];
    private Path dir;
    private BdbStore store;
    private LogStore log;
    private FileChannel plain;
    private long index;

    @Setup
    public void setup() throws IOException {
        dir = Files.createDirectories(Path.of("benchmarks/target/durable-bench")).toAbsolutePath();
        Path data = Files.createTempDirectory(dir, "je-");
        store = BdbStore.open(data);
        log = store.logStore();
        plain = FileChannel.open(Files.createTempFile(dir, "plain-", ".log"), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        plain.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void jeLogWriteOneEntrySynced() {
        log.write(new LogBatch().putEntry(++index, ENTRY).sync(true));
    }

    @Benchmark
    public void plainAppendAndForce() throws IOException {
        plain.write(ByteBuffer.wrap(ENTRY));
        plain.force(false);
    }
}
