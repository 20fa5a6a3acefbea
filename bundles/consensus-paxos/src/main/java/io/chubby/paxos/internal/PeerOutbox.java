package io.chubby.paxos.internal;

import io.chubby.paxos.core.Message;
import io.chubby.protocol.peer.PeerMessage;
import io.chubby.spi.PeerTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The core messages a {@link GroupHost} loop pass sends, per peer (docs/PARTITIONING.md 1.2 "One
 * heartbeat per peer pair"). While the host has one group open every message goes out at once, as
 * before groups (the peer 1.1 bytes); with more, the messages of a phase of the pass are held and
 * {@link #flush} sends what a peer gets as one transport message: the message itself when it is
 * alone, else a {@code PeerBatch} (at most {@link #BATCH_BYTES} each, so a burst of large Accepts
 * never makes one huge frame). The host flushes after every group's requests (before the combined
 * fsync, so followers still write while this replica does) and after every group's answers, so
 * the idle heartbeats of all the groups mastered here leave as one frame per peer.
 *
 * <p>Owned by the loop thread. Snapshot chunks do not pass here (they go out on their own).
 */
final class PeerOutbox {
    /** Batches are cut at this size; a larger single message goes alone. */
    static final int BATCH_BYTES = 1 << 20;

    private final int self;
    private final PeerTransport transport;
    private final Map<Integer, List<PeerMessage>> held = new TreeMap<>();
    private boolean coalesce;
    private long frames;
    private long messages;

    PeerOutbox(int self, PeerTransport transport) {
        this.self = self;
        this.transport = transport;
    }

    /** Holds messages for {@link #flush} from now on (true) or sends each at once (false; flushes first). */
    void coalesce(boolean on) {
        if (!on) {
            flush();
        }
        coalesce = on;
    }

    void send(int group, Message m) {
        messages++;
        if (!coalesce) {
            frames++;
            transport.send(m.to(), PeerCodec.encode(group, m));
            return;
        }
        held.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(PeerCodec.envelope(group, m));
    }

    /** Sends everything held: one transport message per peer (more only past {@link #BATCH_BYTES}). */
    void flush() {
        if (held.isEmpty()) {
            return;
        }
        for (Map.Entry<Integer, List<PeerMessage>> e : held.entrySet()) {
            int to = e.getKey();
            List<PeerMessage> batch = new ArrayList<>();
            int bytes = 0;
            for (PeerMessage m : e.getValue()) {
                int size = m.getSerializedSize();
                if (!batch.isEmpty() && bytes + size > BATCH_BYTES) {
                    send(to, batch);
                    batch = new ArrayList<>();
                    bytes = 0;
                }
                batch.add(m);
                bytes += size;
            }
            send(to, batch);
        }
        held.clear();
    }

    private void send(int to, List<PeerMessage> batch) {
        frames++;
        transport.send(to, batch.size() == 1 ? batch.get(0).toByteArray() : PeerCodec.batch(self, to, batch));
    }

    /** Transport messages sent so far (tests and status: frames per message). */
    long frames() {
        return frames;
    }

    /** Core messages sent so far. */
    long messages() {
        return messages;
    }
}
