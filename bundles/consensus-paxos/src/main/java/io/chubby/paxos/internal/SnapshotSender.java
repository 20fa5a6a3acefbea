package io.chubby.paxos.internal;

import io.chubby.paxos.core.Ballot;
import io.chubby.spi.PeerTransport;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing snapshot transfers of a master. A transfer is a queue of chunks per peer; the loop
 * sends a bounded number of chunks per iteration ({@link #pump}), so a large snapshot never holds
 * the loop (and thus every client write) for long, and the transport's buffers stay bounded.
 * A peer that still lags after a transfer is offered a new one only after {@code retryMs}.
 * Owned by the replica loop thread.
 */
final class SnapshotSender {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);
    private static final int CHUNKS_PER_PUMP = 2;

    private final int self;
    private final int group;
    private final PeerTransport transport;
    private final long retryMs;
    private final Map<Integer, ArrayDeque<SnapshotPiece>> pending = new HashMap<>();
    private final Map<Integer, Long> lastStart = new HashMap<>();

    SnapshotSender(int self, int group, PeerTransport transport, long retryMs) {
        this.self = self;
        this.group = group;
        this.transport = transport;
        this.retryMs = retryMs;
    }

    /** True when a transfer to {@code peer} may start now (none running, none started recently). */
    boolean wants(int peer, long now) {
        Long t = lastStart.get(peer);
        return !pending.containsKey(peer) && (t == null || now - t >= retryMs);
    }

    /**
     * Queues a whole snapshot for {@code peer}; its first chunk carries {@code configuration}, the
     * configuration entry value recorded at {@code index} (empty: none).
     */
    void start(int peer, long now, long index, Ballot ballot, long epoch, long checksum, byte[] snapshot,
               byte[] configuration) {
        List<SnapshotChunker.Piece> pieces = SnapshotChunker.split(snapshot, SnapshotChunker.MAX_CHUNK_BYTES);
        ArrayDeque<SnapshotPiece> q = new ArrayDeque<>(pieces.size());
        for (SnapshotChunker.Piece p : pieces) {
            q.add(new SnapshotPiece(self, peer, index, ballot, epoch, p.offset(), p.data(), p.last(),
                    snapshot.length, checksum, p.offset() == 0 ? configuration : new byte[0]));
        }
        pending.put(peer, q);
        lastStart.put(peer, now);
        log.info("snapshot send started replica={} peer={} index={} bytes={} chunks={} group={}", self, peer, index,
                snapshot.length, pieces.size(), group);
    }

    /** Sends the next few chunks of every running transfer. */
    void pump() {
        for (Iterator<Map.Entry<Integer, ArrayDeque<SnapshotPiece>>> it = pending.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<Integer, ArrayDeque<SnapshotPiece>> e = it.next();
            for (int i = 0; i < CHUNKS_PER_PUMP && !e.getValue().isEmpty(); i++) {
                SnapshotPiece p = e.getValue().poll();
                transport.send(p.to(), PeerCodec.encode(group, p));
                if (p.last()) {
                    log.info("snapshot sent replica={} peer={} index={} bytes={} group={}", self, p.to(), p.index(),
                            p.totalSize(), group);
                }
            }
            if (e.getValue().isEmpty()) {
                it.remove();
            }
        }
    }

    boolean busy() {
        return !pending.isEmpty();
    }

    /** Mastership lost: stop sending. */
    void cancelAll() {
        pending.clear();
    }
}
