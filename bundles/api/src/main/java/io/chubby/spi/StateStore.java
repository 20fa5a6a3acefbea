package io.chubby.spi;

import java.util.Iterator;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable storage of the cell's replicated state: named tables of sorted byte keys to byte
 * values, plus the applied index and state checksum, all changed together in one transaction per
 * applied log entry (or batch of entries). Keys sort bytewise (unsigned), which together with
 * {@link io.chubby.api.NodePath#storageKey()} keeps a directory's children adjacent.
 *
 * <p>{@link #commit} is not fsynced: the consensus log is the durable record, and after a crash
 * the state is rebuilt by replaying the log from {@link #appliedIndex()}. {@link #sync()} makes
 * everything committed so far durable before the log below it is compacted.
 */
@ProviderType
public interface StateStore {

    /** One change: a put, or a delete when {@code value} is null. */
    record Mutation(String table, byte[] key, byte[] value) {
    }

    /** One stored record. */
    record Record(String table, byte[] key, byte[] value) {
    }

    /** Receives records in key order. */
    @FunctionalInterface
    interface RecordVisitor {
        boolean visit(byte[] key, byte[] value);
    }

    long appliedIndex();

    long checksum();

    /** The value under {@code key}, or null. */
    byte[] get(String table, byte[] key);

    /** Visits keys in [fromInclusive, toExclusive) in order; null bounds mean unbounded. */
    void scan(String table, byte[] fromInclusive, byte[] toExclusive, RecordVisitor visitor);

    /** Names of every table that holds data. */
    List<String> tables();

    /** Applies mutations and records the new applied index and checksum, atomically. */
    void commit(long appliedIndex, long checksum, List<Mutation> mutations);

    /** Replaces all state (snapshot install) atomically. */
    void replaceAll(long appliedIndex, long checksum, Iterator<Record> records);

    /** Forces everything committed so far to disk. */
    void sync();

    /**
     * Where this store's data came from, when not from this replica's own history: a line naming
     * the backup it was restored from (index, epoch, when taken), shown by status commands. Empty
     * by default.
     *
     * @since 1.8
     */
    default java.util.Optional<String> restoredFrom() {
        return java.util.Optional.empty();
    }
}
