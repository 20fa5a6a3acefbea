package io.chubby.cell.internal.replica;

import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Snapshots;
import io.chubby.spi.StateMachine;
import io.chubby.spi.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@link CellState} to consensus and storage: each committed entry is applied to the state;
 * its mutations are collected and committed to the {@link StateStore}, with the index and checksum
 * of the last entry, once per batch of committed entries ({@link #applyBatchDone}), in one store
 * transaction. Store commits are not fsynced anyway (the Paxos log is the durable record and a
 * restart replays it from the store's applied index), so batching them changes only the cost.
 *
 * <p>Every applied entry's node changes also go to the {@link ChangeFeed} (when it has listeners),
 * on the apply thread and under the monitor, so the feed follows the log order exactly; a snapshot
 * install is reported to it as a gap.
 *
 * <p>Threads: consensus calls apply/snapshot methods on its apply thread; request threads read the
 * state through {@link #read}. Both hold this object's monitor, which guards the CellState.
 * {@link #appliedIndex} and {@link #checksum}, which the replica loop asks after every pass, read
 * copies published under the monitor and take no lock: a request thread preempted while holding the
 * monitor (on a loaded machine) delayed the loop's heartbeats by up to 100 ms at a time (JFR).
 */
public final class CellStateMachine implements StateMachine {
    private static final Logger log = LoggerFactory.getLogger(CellStateMachine.class);
    /** A batch this large is written without waiting for its end (bounds the memory held). */
    private static final int MAX_UNWRITTEN = 8192;

    /** Told (outside the monitor, on the apply thread) what each entry did, for master memory. */
    public interface AppliedListener {
        /** Entry {@code index} (proposed at {@code epoch}) applied {@code command} successfully. */
        void applied(long index, long epoch, Command command, Result result);

        void reloaded();
    }

    private final CellState state;
    private final StateStore store;
    private final AppliedListener listener;
    private final ChangeFeed feed;
    /** Mutations of applied entries not yet committed to the store, in apply order. */
    private final List<StateStore.Mutation> unwritten = new ArrayList<>();
    /** Index of the last applied entry in {@link #unwritten}; 0 when there is none. */
    private long unwrittenThrough;
    /** The state's applied index and checksum, written under the monitor after every change. */
    private volatile long publishedIndex;
    private volatile long publishedChecksum;

    /** Where the store's data came from when restored from a backup (its {@link StateStore#restoredFrom}). */
    public java.util.Optional<String> restoredFrom() {
        return store.restoredFrom();
    }

    public CellStateMachine(String cell, StateStore store, AppliedListener listener, ChangeFeed feed) {
        this(cell, 0, store, listener, feed);
    }

    /** The state machine of Paxos group {@code group}, over that group's store. */
    public CellStateMachine(String cell, int group, StateStore store, AppliedListener listener, ChangeFeed feed) {
        this(cell, group, null, store, listener, feed);
    }

    /** As above, for a group >= 1 of a cell partitioned as {@code layout} (null: group 0 or one group). */
    public CellStateMachine(String cell, int group, io.chubby.cell.internal.state.Partitions layout, StateStore store,
                            AppliedListener listener, ChangeFeed feed) {
        this.state = new CellState(cell, group, layout);
        this.store = store;
        this.listener = listener;
        this.feed = feed;
        publish();
    }

    /** Loads every table of the store into memory (start-up); the checksum is recomputed and compared. */
    public void load() {
        synchronized (this) {
            List<StateStore.Record> records = new ArrayList<>();
            for (String table : new TreeSet<>(store.tables())) {
                store.scan(table, null, null, (k, v) -> records.add(new StateStore.Record(table, k, v)));
            }
            state.load(store.appliedIndex(), records.iterator());
            publish();
            if (state.checksum() != store.checksum()) {
                // The records are what they are; the stored checksum is only a cross-check.
                log.error("state checksum mismatch after load stored={} computed={} index={}", store.checksum(),
                        state.checksum(), store.appliedIndex());
            }
            log.info("cell state loaded index={} checksum={} nodes={} sessions={} handles={}", state.appliedIndex(),
                    state.checksum(), state.nodeCount(), state.sessionCount(), state.handleCount());
        }
        listener.reloaded();
    }

    public <T> T read(Function<CellState, T> query) {
        synchronized (this) {
            return query.apply(state);
        }
    }

    @Override
    public long appliedIndex() {
        return publishedIndex;
    }

    /** Publishes the state's applied index and checksum for {@link #appliedIndex} and {@link #checksum}. Holds the monitor. */
    private void publish() {
        publishedIndex = state.appliedIndex();
        publishedChecksum = state.checksum();
    }

    @Override
    public byte[] apply(long index, long epoch, byte[] command) {
        CellState.Applied applied;
        synchronized (this) {
            if (index <= state.appliedIndex()) {
                // Already reflected (e.g. replay after a restart raced with a snapshot): applying
                // twice would fork the state, so the entry is acknowledged and skipped.
                log.warn("skipping already applied entry index={} applied={}", index, state.appliedIndex());
                return new Result.Done().encode();
            }
            applied = state.apply(index, epoch, command);
            publish();
            if (feed.active()) {
                feed.publish(index, epoch, state.checksum(), state.nodeChanges());
            }
            unwritten.addAll(applied.mutations());
            unwrittenThrough = index;
            if (unwritten.size() >= MAX_UNWRITTEN) {
                writeUnwritten();
            }
        }
        if (!(applied.result() instanceof Result.Failed) && command.length > 0) {
            listener.applied(index, epoch, CommandCodec.decode(command), applied.result());
        }
        return applied.result().encode();
    }

    @Override
    public synchronized void applyBatchDone() {
        writeUnwritten();
    }

    /** Commits the collected mutations in one store transaction, at the last applied index. Holds the monitor. */
    private void writeUnwritten() {
        if (unwrittenThrough == 0) {
            return;
        }
        store.commit(unwrittenThrough, state.checksum(), unwritten);
        unwritten.clear();
        unwrittenThrough = 0;
    }

    @Override
    public long checksum() {
        return publishedChecksum;
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        synchronized (this) {
            Snapshots.write(state, out);
        }
    }

    @Override
    public void installSnapshot(InputStream in) throws IOException {
        Snapshots.Read snap = Snapshots.read(in);
        synchronized (this) {
            long before = state.appliedIndex();
            if (snap.appliedIndex() > before) {
                feed.gap(before + 1, snap.appliedIndex(), "a snapshot from the master replaced the state at index "
                        + snap.appliedIndex());
            }
            unwritten.clear(); // superseded: the snapshot replaces the whole state
            unwrittenThrough = 0;
            store.replaceAll(snap.appliedIndex(), snap.checksum(), snap.records().iterator());
            state.load(snap.appliedIndex(), snap.records().iterator());
            publish();
            log.info("snapshot installed index={} checksum={} records={}", snap.appliedIndex(), snap.checksum(),
                    snap.records().size());
        }
        listener.reloaded();
    }

    @Override
    public void makeDurable() {
        synchronized (this) {
            writeUnwritten();
        }
        store.sync();
    }
}
