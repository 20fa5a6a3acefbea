package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerCodecTest {
    private static final Ballot B = new Ballot(7, 3);
    private static final List<Entry> ENTRIES = List.of(
            new Entry(11, B, B.epoch(), "set x".getBytes(StandardCharsets.UTF_8)),
            new Entry(12, new Ballot(5, 2), new Ballot(5, 2).epoch(), new byte[0]),
            new Entry(13, B, 1L << 40, new byte[] {0, -1, 127}));

    private static Message roundTrip(Message m) {
        PeerCodec.Decoded d = PeerCodec.decode(PeerCodec.encode(m));
        return ((PeerCodec.CoreMessage) d).message();
    }

    @Test
    void everyCoreMessageRoundTrips() {
        List<Message> all = List.of(
                new Message.Prepare(3, 1, B, 10, 123_456_789L),
                new Message.Promise(1, 3, B, 10, ENTRIES, 9, 123_456_789L),
                new Message.Promise(2, 3, B, 10, List.of(), 0, 5),
                new Message.Accept(3, 2, B, ENTRIES, 10),
                new Message.Accepted(2, 3, B, 11, 13, 10),
                new Message.Heartbeat(3, 1, B, 13, 42),
                new Message.HeartbeatAck(1, 3, B, 42, 13, true),
                new Message.HeartbeatAck(1, 3, B, 42, 13, false),
                new Message.Nack(1, 3, B, new Ballot(9, 1), Message.Nack.LEASE_HELD),
                new Message.Nack(1, 3, B, Ballot.ZERO, Message.Nack.COMPACTED),
                new Message.PreVote(3, 2, B, 10),
                new Message.PreVoteReply(2, 3, B, new Ballot(6, 1), true, 0),
                new Message.PreVoteReply(2, 3, B, Ballot.ZERO, false, Message.Nack.LEASE_HELD),
                new Message.Handoff(1, 2, B, 41, true), new Message.LeaseRelease(1, 3, B));
        for (Message m : all) {
            assertEquals(m, roundTrip(m), m.getClass().getSimpleName());
        }
    }

    @Test
    void snapshotChunkRoundTrips() {
        SnapshotPiece s = new SnapshotPiece(1, 2, 5000, B, B.epoch(), 1 << 20, new byte[] {1, 2, 3}, true,
                (1 << 20) + 3, -77L);
        SnapshotPiece back = (SnapshotPiece) PeerCodec.decode(PeerCodec.encode(s));
        assertEquals(s.from(), back.from());
        assertEquals(s.to(), back.to());
        assertEquals(s.index(), back.index());
        assertEquals(s.ballot(), back.ballot());
        assertEquals(s.epoch(), back.epoch());
        assertEquals(s.offset(), back.offset());
        assertArrayEquals(s.data(), back.data());
        assertEquals(s.last(), back.last());
        assertEquals(s.totalSize(), back.totalSize());
        assertEquals(s.checksum(), back.checksum());
    }

    @Test
    void entriesAndBallotsRoundTripForDisk() {
        for (Entry e : ENTRIES) {
            assertEquals(e, PeerCodec.decodeEntry(PeerCodec.encodeEntry(e)));
        }
        assertEquals(B, PeerCodec.decodeBallot(PeerCodec.encodeBallot(B)));
        assertEquals(Ballot.ZERO, PeerCodec.decodeBallot(PeerCodec.encodeBallot(Ballot.ZERO)));
    }

    @Test
    void garbageIsRejectedNotFatal() {
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(new byte[] {(byte) 0xff, 0x01, 0x02}));
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(new byte[0])); // no body
    }
}
