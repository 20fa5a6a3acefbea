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
 */
record SnapshotPiece(int from, int to, long index, Ballot ballot, long epoch, long offset, byte[] data,
                     boolean last, long totalSize, long checksum) implements PeerCodec.Decoded {
}
