package io.chubby.cell.internal.state;

import io.chubby.spi.StateStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshot stream format: magic, version, applied index, checksum, record count, then each record
 * as (table, key, value) with length prefixes, in {@link CellState#records()} order.
 */
public final class Snapshots {
    private static final int MAGIC = 0x43534e50; // "CSNP"
    private static final int VERSION = 1;

    /** A decoded snapshot. */
    public record Read(long appliedIndex, long checksum, List<StateStore.Record> records) {
    }

    private Snapshots() {
    }

    public static void write(CellState state, OutputStream os) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        List<StateStore.Record> records = state.records();
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(state.appliedIndex());
        out.writeLong(state.checksum());
        out.writeInt(records.size());
        for (StateStore.Record r : records) {
            byte[] t = r.table().getBytes(StandardCharsets.UTF_8);
            out.writeInt(t.length);
            out.write(t);
            out.writeInt(r.key().length);
            out.write(r.key());
            out.writeInt(r.value().length);
            out.write(r.value());
        }
        out.flush();
    }

    /** Reads a whole snapshot; IOException when the stream is not one or its checksum does not add up. */
    public static Read read(InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        if (in.readInt() != MAGIC || in.readInt() != VERSION) {
            throw new IOException("not a cell snapshot (bad magic or version)");
        }
        long index = in.readLong();
        long checksum = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative record count in snapshot");
        }
        List<StateStore.Record> records = new ArrayList<>(Math.min(n, 1 << 16));
        long sum = 0;
        for (int i = 0; i < n; i++) {
            String table = new String(chunk(in), StandardCharsets.UTF_8);
            byte[] key = chunk(in);
            byte[] value = chunk(in);
            sum += Hash64.record(table, key, value);
            records.add(new StateStore.Record(table, key, value));
        }
        if (sum != checksum) {
            throw new IOException("snapshot checksum mismatch: header " + checksum + ", records " + sum);
        }
        return new Read(index, checksum, records);
    }

    private static byte[] chunk(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > (64 << 20)) {
            throw new IOException("bad chunk length " + len + " in snapshot");
        }
        return in.readNBytes(len);
    }
}
