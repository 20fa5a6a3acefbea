package io.chubby.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A set of writes to a {@link LogStore} applied atomically. Not thread-safe; build, then write. */
public final class LogBatch {
    /** A log entry write. */
    public record Put(long index, byte[] value) {
    }

    private final Map<String, byte[]> meta = new LinkedHashMap<>();
    private final List<Put> entries = new ArrayList<>();
    private long deleteFrom = 0;
    private boolean sync;

    public LogBatch putMeta(String key, byte[] value) {
        meta.put(key, value);
        return this;
    }

    public LogBatch putEntry(long index, byte[] value) {
        entries.add(new Put(index, value));
        return this;
    }

    /** Deletes every entry at or above {@code index} before the puts of this batch are applied. */
    public LogBatch deleteFrom(long index) {
        this.deleteFrom = index;
        return this;
    }

    /** Whether the batch must be on disk before {@link LogStore#write} returns. */
    public LogBatch sync(boolean s) {
        this.sync = s;
        return this;
    }

    public Map<String, byte[]> meta() {
        return Collections.unmodifiableMap(meta);
    }

    public List<Put> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** 0 when nothing is deleted. */
    public long deleteFromIndex() {
        return deleteFrom;
    }

    public boolean sync() {
        return sync;
    }

    public boolean isEmpty() {
        return meta.isEmpty() && entries.isEmpty() && deleteFrom == 0;
    }
}
