package io.chubby.paxos.internal;

import java.io.ByteArrayOutputStream;

/**
 * Reassembles the chunks of one incoming snapshot. Chunks of a snapshot arrive in order over one
 * connection, but the transport may drop or duplicate them and the master may restart a transfer
 * for a newer index at any time, so: a chunk at offset 0 (re)starts assembly for its index; a
 * duplicate of an already received chunk is ignored; any other gap discards the transfer (the
 * master resends when the follower still lags). Owned by the replica loop thread.
 */
final class SnapshotAssembler {
    private long index = -1;
    private ByteArrayOutputStream buffer;

    /**
     * Adds a chunk; returns the whole snapshot when {@code last} completes a gap-free transfer
     * for {@code snapshotIndex}, else null.
     */
    byte[] add(long snapshotIndex, long offset, byte[] data, boolean last) {
        if (offset == 0) {
            index = snapshotIndex;
            buffer = new ByteArrayOutputStream(Math.max(32, data.length));
        } else if (buffer == null || snapshotIndex != index) {
            return null;
        } else if (offset < buffer.size()) {
            return null; // duplicate of a chunk we already have
        } else if (offset > buffer.size()) {
            reset(); // a chunk was lost: wait for the master to start over
            return null;
        }
        buffer.write(data, 0, data.length);
        if (!last) {
            return null;
        }
        byte[] whole = buffer.toByteArray();
        reset();
        return whole;
    }

    /** The index being assembled, or -1 when idle. */
    long pendingIndex() {
        return buffer == null ? -1 : index;
    }

    void reset() {
        index = -1;
        buffer = null;
    }
}
