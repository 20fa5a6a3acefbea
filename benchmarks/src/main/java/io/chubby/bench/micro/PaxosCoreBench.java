package io.chubby.bench.micro;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.LogReader;
import io.chubby.paxos.core.PaxosConfig;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.paxos.core.Ready;
import io.chubby.paxos.core.RecoveredState;
import io.chubby.paxos.core.Role;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pure Paxos core on a 1-replica in-memory cell: propose one 100-byte value, then
 * ready -> "persist" into an in-memory log -> advance until it is handed out committed. This is
 * the core's own cost per entry, without fsync, network or apply.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PaxosCoreBench {
    /** The durable log stand-in; keeps only recent entries so the heap stays flat. */
    static final class MemoryLog implements LogReader {
        final TreeMap<Long, Entry> entries = new TreeMap<>();

        @Override
        public Entry entry(long index) {
            return entries.get(index);
        }

        @Override
        public long firstIndex() {
            return entries.isEmpty() ? 0 : entries.firstKey();
        }

        @Override
        public long lastIndex() {
            return entries.isEmpty() ? 0 : entries.lastKey();
        }

        void persist(List<Entry> es) {
            for (Entry e : es) {
                entries.put(e.index(), e);
            }
            while (entries.size() > 64) {
                entries.pollFirstEntry();
            }
        }
    }

    private final MemoryLog log = new MemoryLog();
    private final byte[] value = new byte[100];
    private PaxosNode node;
    private long now = 1_000;

    @Setup
    public void setup() {
        node = new PaxosNode(PaxosConfig.defaults(1, List.of(1)), RecoveredState.empty(), log, bound -> 0, now);
        for (int i = 0; i < 10_000 && !(node.role() == Role.MASTER && node.canServe(now)); i++) {
            now += 50;
            node.tick(now);
            drain();
        }
        if (!node.canServe(now)) {
            throw new IllegalStateException("the 1-replica cell did not become master");
        }
    }

    private int drain() {
        int committed = 0;
        while (node.hasReady()) {
            Ready r = node.ready();
            log.persist(r.entries());
            committed += r.committed().size();
            node.advance(r);
        }
        return committed;
    }

    @Benchmark
    public int proposeReadyAdvance() {
        if (node.propose(value, now) < 0) {
            throw new IllegalStateException("propose refused");
        }
        return drain();
    }
}
