package io.chubby.paxos.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.protocol.peer.ConfigurationRecord;
import io.chubby.protocol.peer.ConfigurationRecords;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last few configurations a replica applied or installed with a snapshot, durable in its log
 * store's meta ({@value #KEY}, a {@code chubby.peer.v1.ConfigurationRecords}): index and
 * configuration entry value ({@link AddressBook}). A restart takes the one at or below the state
 * machine's durable applied index for the core's {@code RecoveredState}. Owned by the loop thread.
 */
final class ConfigurationHistory {
    static final String KEY = "paxos.configurations";
    /** Records kept: the state machine's durable point lags the applied index by at most a few changes. */
    static final int KEEP = 8;

    private final LogStore store;
    private final TreeMap<Long, byte[]> records = new TreeMap<>();

    ConfigurationHistory(LogStore store) {
        this.store = store;
        byte[] b = store.meta(KEY);
        if (b != null) {
            try {
                for (ConfigurationRecord r : ConfigurationRecords.parseFrom(b).getRecordsList()) {
                    records.put(r.getIndex(), r.getValue().toByteArray());
                }
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("unreadable " + KEY + " in the log store", e);
            }
        }
    }

    /** Records the configuration entry {@code value} at {@code index}, durably (fsync) before returning. */
    void record(long index, byte[] value) {
        records.tailMap(index, true).clear(); // a snapshot below what we recorded: its future replaces ours
        records.put(index, value.clone());
        while (records.size() > KEEP) {
            records.pollFirstEntry();
        }
        ConfigurationRecords.Builder b = ConfigurationRecords.newBuilder();
        for (Map.Entry<Long, byte[]> e : records.entrySet()) {
            b.addRecords(ConfigurationRecord.newBuilder().setIndex(e.getKey()).setValue(ByteString.copyFrom(e.getValue())));
        }
        store.write(new LogBatch().putMeta(KEY, b.build().toByteArray()).sync(true));
    }

    /** The configuration entry value recorded at or below {@code index}, or null (the initial members). */
    byte[] atOrBelow(long index) {
        Map.Entry<Long, byte[]> e = records.floorEntry(index);
        return e == null ? null : e.getValue().clone();
    }
}
