package io.chubby.paxos.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.protocol.peer.PeerMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps core {@link Message}s and {@link SnapshotPiece}s to and from {@code chubby.peer.v1}
 * protobuf bytes; also the on-disk encoding of entries and ballots. Stateless and thread-safe
 * (transport threads decode, the loop thread encodes).
 *
 * <p>Groups (peer 1.2): a message of Paxos group g >= 1 travels wrapped in {@code Grouped}; group
 * 0's messages are never wrapped, so a replica hosting only group 0 sends exactly the peer 1.1
 * bytes. {@link #decode} returns a {@link Grouped} for a wrapped message and the bare message for
 * group 0.
 */
final class PeerCodec {

    /** What a peer message decodes to. */
    sealed interface Decoded permits CoreMessage, SnapshotPiece, Grouped, Batch, Capabilities, Cross {
    }

    /** A message for the core. */
    record CoreMessage(Message message) implements Decoded {
    }

    /** A message of group {@code group} (>= 1); {@code message} is never itself a {@code Grouped}. */
    record Grouped(int group, Decoded message) implements Decoded {
    }

    /** Several messages for one peer in one transport message (peer 1.3); none is itself a batch. */
    record Batch(List<Decoded> messages) implements Decoded {
    }

    /** What replica {@code from} speaks: its peer protocol minor; {@code reply}: it asks for ours. */
    record Capabilities(int from, int peerMinor, boolean reply) implements Decoded {
    }

    /**
     * A cross-group message (peer 1.4: {@code CrossRequest} or {@code CrossReply}), opaque here: the
     * whole {@code PeerMessage} as received, for the cell's handler. Never batched or grouped.
     */
    record Cross(byte[] message) implements Decoded {
    }

    /**
     * The minor of the peer protocol this replica speaks. 4: no new message (peer 1.3.0); this
     * replica's cell applies {@code SetLeaseCeiling}, which session-mgr proposes only once every
     * member announced 4. 5: {@code CrossRequest} and {@code CrossReply} (io.chubby.protocol.peer
     * 1.4.0, docs/PARTITIONING.md 4.4).
     */
    static final int PEER_MINOR = 5;

    private PeerCodec() {
    }

    /** The envelope of {@code m} as a message of {@code group} (wrapped unless group 0), for a batch. */
    static PeerMessage envelope(int group, Message m) {
        return wrapped(group, message(m));
    }

    /** One transport message carrying {@code messages} (at least two) for one peer, in order. */
    static byte[] batch(int from, int to, List<PeerMessage> messages) {
        return PeerMessage.newBuilder().setFrom(from).setTo(to)
                .setBatch(io.chubby.protocol.peer.PeerBatch.newBuilder().addAllMessages(messages))
                .build().toByteArray();
    }

    /** This replica's {@link Capabilities} for {@code to}. */
    static byte[] capabilities(int from, int to, boolean reply) {
        return PeerMessage.newBuilder().setFrom(from).setTo(to)
                .setCapabilities(io.chubby.protocol.peer.Capabilities.newBuilder().setPeerMinor(PEER_MINOR)
                        .setReply(reply))
                .build().toByteArray();
    }

    /**
     * {@code message} (a {@code PeerMessage} whose body is a cross request or reply) from
     * {@code from} to {@code to}, as sent.
     *
     * @throws IllegalArgumentException when it is not such a message
     */
    static byte[] cross(int from, int to, byte[] message) {
        PeerMessage pm;
        try {
            pm = PeerMessage.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed cross-group message: " + e.getMessage(), e);
        }
        if (!isCross(pm)) {
            throw new IllegalArgumentException("not a cross-group message: " + pm.getBodyCase());
        }
        return pm.toBuilder().setFrom(from).setTo(to).build().toByteArray();
    }

    private static boolean isCross(PeerMessage pm) {
        return pm.getBodyCase() == PeerMessage.BodyCase.CROSS_REQUEST
                || pm.getBodyCase() == PeerMessage.BodyCase.CROSS_REPLY;
    }

    /** The wire form of {@code m} as a message of {@code group}: wrapped unless group 0. */
    static byte[] encode(int group, Message m) {
        return wrap(group, message(m));
    }

    /** The wire form of {@code s} as a chunk of {@code group}'s snapshot: wrapped unless group 0. */
    static byte[] encode(int group, SnapshotPiece s) {
        return wrap(group, message(s));
    }

    /** Group 0's (peer 1.1) form of {@code m}. */
    static byte[] encode(Message m) {
        return message(m).toByteArray();
    }

    /** Group 0's (peer 1.1) form of {@code s}. */
    static byte[] encode(SnapshotPiece s) {
        return message(s).toByteArray();
    }

    private static byte[] wrap(int group, PeerMessage m) {
        return wrapped(group, m).toByteArray();
    }

    private static PeerMessage wrapped(int group, PeerMessage m) {
        if (group < 0) {
            throw new IllegalArgumentException("negative group " + group);
        }
        if (group == 0) {
            return m;
        }
        return PeerMessage.newBuilder().setFrom(m.getFrom()).setTo(m.getTo())
                .setGrouped(io.chubby.protocol.peer.Grouped.newBuilder().setGroup(group).setMessage(m))
                .build();
    }

    private static PeerMessage message(Message m) {
        PeerMessage.Builder b = PeerMessage.newBuilder().setFrom(m.from()).setTo(m.to());
        if (m instanceof Message.Prepare p) {
            b.setPrepare(io.chubby.protocol.peer.Prepare.newBuilder()
                    .setBallot(ballot(p.ballot())).setFromIndex(p.fromIndex()).setLeaseStamp(p.leaseStamp()));
        } else if (m instanceof Message.Promise p) {
            b.setPromise(io.chubby.protocol.peer.Promise.newBuilder()
                    .setBallot(ballot(p.ballot())).setFromIndex(p.fromIndex()).addAllEntries(entries(p.entries()))
                    .setCommitIndex(p.commitIndex()).setLeaseStamp(p.leaseStamp()));
        } else if (m instanceof Message.Accept a) {
            b.setAccept(io.chubby.protocol.peer.Accept.newBuilder()
                    .setBallot(ballot(a.ballot())).addAllEntries(entries(a.entries())).setCommitIndex(a.commitIndex()));
        } else if (m instanceof Message.Accepted a) {
            b.setAccepted(io.chubby.protocol.peer.Accepted.newBuilder()
                    .setBallot(ballot(a.ballot())).setFirstIndex(a.firstIndex()).setLastIndex(a.lastIndex())
                    .setCommitIndex(a.commitIndex()));
        } else if (m instanceof Message.Heartbeat h) {
            b.setHeartbeat(io.chubby.protocol.peer.Heartbeat.newBuilder()
                    .setBallot(ballot(h.ballot())).setCommitIndex(h.commitIndex()).setLeaseStamp(h.leaseStamp()));
        } else if (m instanceof Message.HeartbeatAck h) {
            b.setHeartbeatAck(io.chubby.protocol.peer.HeartbeatAck.newBuilder()
                    .setBallot(ballot(h.ballot())).setLeaseStamp(h.leaseStamp()).setCommitIndex(h.commitIndex())
                    .setBehind(h.behind()));
        } else if (m instanceof Message.Nack n) {
            b.setNack(io.chubby.protocol.peer.Nack.newBuilder()
                    .setBallot(ballot(n.ballot())).setPromised(ballot(n.promised())).setReason(n.reason()));
        } else if (m instanceof Message.PreVote p) {
            b.setPreVote(io.chubby.protocol.peer.PreVote.newBuilder()
                    .setBallot(ballot(p.ballot())).setFromIndex(p.fromIndex()));
        } else if (m instanceof Message.PreVoteReply r) {
            b.setPreVoteReply(io.chubby.protocol.peer.PreVoteReply.newBuilder()
                    .setBallot(ballot(r.ballot())).setPromised(ballot(r.promised())).setGranted(r.granted())
                    .setReason(r.reason()));
        } else if (m instanceof Message.Handoff h) {
            b.setHandoff(io.chubby.protocol.peer.Handoff.newBuilder()
                    .setBallot(ballot(h.ballot())).setCommitIndex(h.commitIndex()).setPinned(h.pinned()));
        } else if (m instanceof Message.LeaseRelease r) {
            b.setLeaseRelease(io.chubby.protocol.peer.LeaseRelease.newBuilder().setBallot(ballot(r.ballot())));
        } else {
            // Java 17 has no exhaustive pattern switch: a new core message type must be added here.
            throw new IllegalArgumentException("no wire form for " + m.getClass().getSimpleName());
        }
        return b.build();
    }

    private static PeerMessage message(SnapshotPiece s) {
        return PeerMessage.newBuilder().setFrom(s.from()).setTo(s.to())
                .setSnapshotChunk(io.chubby.protocol.peer.SnapshotChunk.newBuilder()
                        .setIndex(s.index()).setBallot(ballot(s.ballot())).setEpoch(s.epoch()).setOffset(s.offset())
                        .setData(ByteString.copyFrom(s.data())).setLast(s.last()).setTotalSize(s.totalSize())
                        .setChecksum(s.checksum()).setConfiguration(ByteString.copyFrom(s.configuration())))
                .build();
    }

    /**
     * Decodes one peer message.
     *
     * @throws IllegalArgumentException when the bytes are not a valid peer message (the caller drops it)
     */
    static Decoded decode(byte[] bytes) {
        PeerMessage pm;
        try {
            pm = PeerMessage.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed peer message: " + e.getMessage(), e);
        }
        if (pm.getBodyCase() == PeerMessage.BodyCase.BATCH) {
            List<Decoded> out = new ArrayList<>(pm.getBatch().getMessagesCount());
            for (PeerMessage inner : pm.getBatch().getMessagesList()) {
                if (inner.getBodyCase() == PeerMessage.BodyCase.BATCH) {
                    throw new IllegalArgumentException("nested PeerBatch from " + pm.getFrom());
                }
                out.add(decodeOne(inner));
            }
            return new Batch(out);
        }
        if (isCross(pm)) {
            return new Cross(bytes.clone());
        }
        return decodeOne(pm);
    }

    private static Decoded decodeOne(PeerMessage pm) {
        if (pm.getBodyCase() == PeerMessage.BodyCase.GROUPED) {
            var g = pm.getGrouped();
            if (g.getGroup() == 0) {
                throw new IllegalArgumentException("group 0 message from " + pm.getFrom() + " is wrapped");
            }
            if (g.getGroup() < 0 || !g.hasMessage()
                    || g.getMessage().getBodyCase() == PeerMessage.BodyCase.GROUPED) {
                throw new IllegalArgumentException("bad Grouped message from " + pm.getFrom());
            }
            return new Grouped(g.getGroup(), decode(g.getMessage()));
        }
        return decode(pm);
    }

    private static Decoded decode(PeerMessage pm) {
        int from = pm.getFrom();
        int to = pm.getTo();
        return switch (pm.getBodyCase()) {
            case PREPARE -> {
                var p = pm.getPrepare();
                yield core(new Message.Prepare(from, to, ballot(p.getBallot()), p.getFromIndex(), p.getLeaseStamp()));
            }
            case PROMISE -> {
                var p = pm.getPromise();
                yield core(new Message.Promise(from, to, ballot(p.getBallot()), p.getFromIndex(),
                        entriesFrom(p.getEntriesList()), p.getCommitIndex(), p.getLeaseStamp()));
            }
            case ACCEPT -> {
                var a = pm.getAccept();
                yield core(new Message.Accept(from, to, ballot(a.getBallot()), entriesFrom(a.getEntriesList()),
                        a.getCommitIndex()));
            }
            case ACCEPTED -> {
                var a = pm.getAccepted();
                yield core(new Message.Accepted(from, to, ballot(a.getBallot()), a.getFirstIndex(), a.getLastIndex(),
                        a.getCommitIndex()));
            }
            case HEARTBEAT -> {
                var h = pm.getHeartbeat();
                yield core(new Message.Heartbeat(from, to, ballot(h.getBallot()), h.getCommitIndex(),
                        h.getLeaseStamp()));
            }
            case HEARTBEAT_ACK -> {
                var h = pm.getHeartbeatAck();
                yield core(new Message.HeartbeatAck(from, to, ballot(h.getBallot()), h.getLeaseStamp(),
                        h.getCommitIndex(), h.getBehind()));
            }
            case NACK -> {
                var n = pm.getNack();
                yield core(new Message.Nack(from, to, ballot(n.getBallot()), ballot(n.getPromised()), n.getReason()));
            }
            case PRE_VOTE -> {
                var p = pm.getPreVote();
                yield core(new Message.PreVote(from, to, ballot(p.getBallot()), p.getFromIndex()));
            }
            case PRE_VOTE_REPLY -> {
                var r = pm.getPreVoteReply();
                yield core(new Message.PreVoteReply(from, to, ballot(r.getBallot()), ballot(r.getPromised()),
                        r.getGranted(), r.getReason()));
            }
            case SNAPSHOT_CHUNK -> {
                var c = pm.getSnapshotChunk();
                yield new SnapshotPiece(from, to, c.getIndex(), ballot(c.getBallot()), c.getEpoch(), c.getOffset(),
                        c.getData().toByteArray(), c.getLast(), c.getTotalSize(), c.getChecksum(),
                        c.getConfiguration().toByteArray());
            }
            case HANDOFF -> core(new Message.Handoff(from, to, ballot(pm.getHandoff().getBallot()),
                    pm.getHandoff().getCommitIndex(), pm.getHandoff().getPinned()));
            case LEASE_RELEASE -> core(new Message.LeaseRelease(from, to, ballot(pm.getLeaseRelease().getBallot())));
            case CAPABILITIES -> new Capabilities(from, pm.getCapabilities().getPeerMinor(),
                    pm.getCapabilities().getReply());
            case CROSS_REQUEST, CROSS_REPLY -> throw new IllegalArgumentException("cross-group message from " + from
                    + " inside a batch or Grouped");
            case GROUPED, BATCH, BODY_NOT_SET -> throw new IllegalArgumentException("peer message from " + from + " has no body");
        };
    }

    private static CoreMessage core(Message m) {
        return new CoreMessage(m);
    }

    /** On-disk and wire form of an entry. */
    static byte[] encodeEntry(Entry e) {
        return entry(e).toByteArray();
    }

    static Entry decodeEntry(byte[] bytes) {
        try {
            return entry(io.chubby.protocol.peer.Entry.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt log entry: " + e.getMessage(), e);
        }
    }

    static byte[] encodeBallot(Ballot b) {
        return ballot(b).toByteArray();
    }

    static Ballot decodeBallot(byte[] bytes) {
        try {
            return ballot(io.chubby.protocol.peer.Ballot.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt ballot: " + e.getMessage(), e);
        }
    }

    private static io.chubby.protocol.peer.Ballot ballot(Ballot b) {
        return io.chubby.protocol.peer.Ballot.newBuilder().setRound(b.round()).setReplica(b.replica()).build();
    }

    private static Ballot ballot(io.chubby.protocol.peer.Ballot b) {
        if (b.getReplica() > 255 || b.getRound() < 0) {
            throw new IllegalArgumentException("bad ballot " + b.getRound() + "." + b.getReplica());
        }
        return new Ballot(b.getRound(), b.getReplica());
    }

    private static io.chubby.protocol.peer.Entry entry(Entry e) {
        return io.chubby.protocol.peer.Entry.newBuilder().setIndex(e.index()).setBallot(ballot(e.ballot()))
                .setEpoch(e.epoch()).setValue(ByteString.copyFrom(e.value())).build();
    }

    private static Entry entry(io.chubby.protocol.peer.Entry e) {
        return new Entry(e.getIndex(), ballot(e.getBallot()), e.getEpoch(), e.getValue().toByteArray());
    }

    private static List<io.chubby.protocol.peer.Entry> entries(List<Entry> es) {
        List<io.chubby.protocol.peer.Entry> out = new ArrayList<>(es.size());
        for (Entry e : es) {
            out.add(entry(e));
        }
        return out;
    }

    private static List<Entry> entriesFrom(List<io.chubby.protocol.peer.Entry> es) {
        List<Entry> out = new ArrayList<>(es.size());
        for (io.chubby.protocol.peer.Entry e : es) {
            out.add(entry(e));
        }
        return out;
    }
}
