package io.chubby.paxos.internal;

import io.chubby.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic test state machine: appends every command to a ledger; the checksum is a
 * running FNV-1a hash over (index, epoch-independent command bytes). {@link #makeDurable()}
 * records a copy that {@link #recoverDurable()} returns, as a real store would after a crash.
 */
final class LedgerStateMachine implements StateMachine {
    /** Synchronized: the loop thread appends, test threads copy ({@link #commands()}). */
    private final List<byte[]> ledger = java.util.Collections.synchronizedList(new ArrayList<>());
    private long applied;
    private long checksum = 0xcbf29ce484222325L;
    private volatile long publishedApplied;
    private volatile long publishedChecksum;
    private volatile LedgerStateMachine durable;
    /** Checksum after each index applied by this instance (not those covered by a snapshot). */
    private final java.util.Map<Long, Long> history = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public long appliedIndex() {
        return applied;
    }

    @Override
    public byte[] apply(long index, long epoch, byte[] command) {
        if (index != applied + 1) {
            throw new IllegalStateException("apply out of order: " + index + " after " + applied);
        }
        applied = index;
        ledger.add(command.clone());
        checksum = mix(mix(checksum, index), command);
        publishedApplied = applied;
        publishedChecksum = checksum;
        history.put(index, checksum);
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    private static long mix(long h, long v) {
        for (int i = 0; i < 8; i++) {
            h = (h ^ ((v >>> (8 * i)) & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long h, byte[] b) {
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    @Override
    public long checksum() {
        return checksum;
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(applied);
        d.writeLong(checksum);
        d.writeInt(ledger.size());
        for (byte[] c : ledger) {
            d.writeInt(c.length);
            d.write(c);
        }
        d.flush();
    }

    @Override
    public void installSnapshot(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        applied = d.readLong();
        checksum = d.readLong();
        int n = d.readInt();
        ledger.clear();
        for (int i = 0; i < n; i++) {
            byte[] c = new byte[d.readInt()];
            d.readFully(c);
            ledger.add(c);
        }
        publishedApplied = applied;
        publishedChecksum = checksum;
    }

    @Override
    public void makeDurable() {
        LedgerStateMachine copy = new LedgerStateMachine();
        copy.applied = applied;
        copy.checksum = checksum;
        copy.ledger.addAll(ledger);
        copy.publishedApplied = applied;
        copy.publishedChecksum = checksum;
        durable = copy;
    }

    /** The state as of the last {@link #makeDurable()} (empty if never), as after a crash. */
    LedgerStateMachine recoverDurable() {
        LedgerStateMachine d = durable;
        return d == null ? new LedgerStateMachine() : d;
    }

    /** Readable from the test thread. */
    long applied() {
        return publishedApplied;
    }

    /** The checksum right after applying {@code index}, or null if this instance did not apply it. */
    Long checksumAt(long index) {
        return history.get(index);
    }

    long publishedChecksum() {
        return publishedChecksum;
    }

    /** A copy of every command applied (or installed by a snapshot), in log order; readable from the test thread. */
    List<byte[]> commands() {
        synchronized (ledger) {
            return new ArrayList<>(ledger);
        }
    }
}
