package io.chubby.paxos.internal;

import io.chubby.paxos.core.Ballot;

/**
 * One chunk of a snapshot transfer from the master {@code from} to replica {@code to}
 * (wire form: {@code chubby.peer.v1.SnapshotChunk}).
 *
 * @param index     the snapshot reflects the log through this index
 * @param ballot    the sending master's ballot
 * @param epoch     epoch of the entry at {@code index}
 * @param offset    byte offset of {@code data} in the whole snapshot
 * @param data      this chunk's bytes
 * @param last      true on the final chunk
 * @param totalSize size of the whole snapshot
 * @param checksum  state machine checksum at {@code index}, verified after install
 * @param configuration the configuration entry value recorded at {@code index} ({@link AddressBook}),
 *                  on the chunk at offset 0; empty when none (the cell's initial members)
 */
record SnapshotPiece(int from, int to, long index, Ballot ballot, long epoch, long offset, byte[] data,
                     boolean last, long totalSize, long checksum, byte[] configuration) implements PeerCodec.Decoded {

    SnapshotPiece {
        configuration = configuration == null ? new byte[0] : configuration;
    }

    /** A piece that carries no configuration. */
    SnapshotPiece(int from, int to, long index, Ballot ballot, long epoch, long offset, byte[] data, boolean last,
                  long totalSize, long checksum) {
        this(from, to, index, ballot, epoch, offset, data, last, totalSize, checksum, new byte[0]);
    }
}
