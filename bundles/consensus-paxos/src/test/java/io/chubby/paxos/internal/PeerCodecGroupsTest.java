package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Message;
import io.chubby.protocol.peer.Grouped;
import io.chubby.protocol.peer.PeerMessage;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Peer 1.2 groups on the wire: group 0 is byte-identical to peer 1.1, groups >= 1 travel in {@code Grouped}. */
class PeerCodecGroupsTest {
    private static final Ballot B = new Ballot(7, 2);
    private static final Entry E1 = new Entry(41, B, B.epoch(), "set x=1".getBytes(StandardCharsets.UTF_8));
    private static final Entry E2 = new Entry(42, B, B.epoch(), new byte[0]);

    /**
     * Golden bytes: what the peer 1.1 codec (commit 2b1e48f, before groups) produced for these
     * messages. Group 0 must keep producing exactly these: a cell of one group is unchanged on the wire.
     */
    private static final Map<Message, String> GOLDEN = new LinkedHashMap<>();

    static {
        GOLDEN.put(new Message.Prepare(2, 1, B, 41, 123456), "08021001520c0a0408071002102918c0c407");
        GOLDEN.put(new Message.Promise(1, 2, B, 41, List.of(E1, E2), 40, 123456),
                "080110025a310a040807100210291a14082912040807100218820e220773657420783d311a0b082a12040807100218820e"
                        + "202828c0c407");
        GOLDEN.put(new Message.Accept(2, 3, B, List.of(E1, E2), 40),
                "08021003622b0a04080710021214082912040807100218820e220773657420783d31120b082a12040807100218820e1828");
        GOLDEN.put(new Message.Accepted(3, 2, B, 41, 42, 40), "080310026a0c0a04080710021029182a2028");
        GOLDEN.put(new Message.Heartbeat(2, 1, B, 42, 987654), "08021001720c0a0408071002102a1886a43c");
        GOLDEN.put(new Message.HeartbeatAck(1, 2, B, 987654, 42, true), "080110027a0e0a04080710021086a43c182a2001");
        GOLDEN.put(new Message.Nack(3, 2, B, new Ballot(9, 3), 1), "0803100282010e0a04080710021204080910031801");
        GOLDEN.put(new Message.PreVote(3, 1, B, 43), "080310018a01080a0408071002102b");
        GOLDEN.put(new Message.PreVoteReply(1, 3, B, new Ballot(6, 1), false, 2),
                "0801100392010e0a04080710021204080610012002");
    }

    private static final SnapshotPiece PIECE = new SnapshotPiece(2, 3, 1000, B, B.epoch(), 0,
            "snap".getBytes(StandardCharsets.UTF_8), true, 4, 99);
    private static final String PIECE_GOLDEN = "08021003a2011808e80712040807100218820e2a04736e6170300138044063";

    @Test
    void groupZeroIsByteIdenticalToPeer11() {
        for (Map.Entry<Message, String> e : GOLDEN.entrySet()) {
            assertEquals(e.getValue(), HexFormat.of().formatHex(PeerCodec.encode(0, e.getKey())),
                    e.getKey().getClass().getSimpleName());
            assertEquals(e.getValue(), HexFormat.of().formatHex(PeerCodec.encode(e.getKey())));
        }
        assertEquals(PIECE_GOLDEN, HexFormat.of().formatHex(PeerCodec.encode(0, PIECE)));
    }

    @Test
    void groupsAboveZeroTravelWrappedAndDecodeToTheirGroup() {
        for (Message m : GOLDEN.keySet()) {
            byte[] bytes = PeerCodec.encode(7, m);
            PeerCodec.Grouped g = assertInstanceOf(PeerCodec.Grouped.class, PeerCodec.decode(bytes));
            assertEquals(7, g.group());
            assertEquals(m, assertInstanceOf(PeerCodec.CoreMessage.class, g.message()).message());
        }
        PeerCodec.Grouped g = assertInstanceOf(PeerCodec.Grouped.class, PeerCodec.decode(PeerCodec.encode(4095, PIECE)));
        assertEquals(4095, g.group());
        SnapshotPiece back = assertInstanceOf(SnapshotPiece.class, g.message());
        assertArrayEquals(PIECE.data(), back.data());
        assertEquals(PIECE.checksum(), back.checksum());
    }

    @Test
    void malformedGroupedMessagesAreRefused() throws Exception {
        PeerMessage inner = PeerMessage.parseFrom(PeerCodec.encode(new Message.PreVote(3, 1, B, 43)));
        byte[] groupZero = PeerMessage.newBuilder().setFrom(3).setTo(1)
                .setGrouped(Grouped.newBuilder().setGroup(0).setMessage(inner)).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(groupZero));
        byte[] nested = PeerMessage.newBuilder().setFrom(3).setTo(1)
                .setGrouped(Grouped.newBuilder().setGroup(2).setMessage(PeerMessage.parseFrom(PeerCodec.encode(5,
                        new Message.PreVote(3, 1, B, 43))))).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(nested));
        byte[] empty = PeerMessage.newBuilder().setFrom(3).setTo(1)
                .setGrouped(Grouped.newBuilder().setGroup(2)).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(empty));
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.encode(-1, new Message.PreVote(3, 1, B, 43)));
    }

    /** A running replica of one group sends only unwrapped messages: each is exactly its peer 1.1 form (or Capabilities). */
    @Test
    void aReplicaOfOneGroupSendsOnlyPeer11Bytes() throws Exception {
        try (TestCell cell = new TestCell(3)) {
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger differing = new AtomicInteger();
            cell.net.onSend((from, bytes) -> {
                sent.incrementAndGet();
                PeerCodec.Decoded d = PeerCodec.decode(bytes);
                // Capabilities (peer 1.3) is the one message a replica of one group adds: a 1.1
                // replica drops it as bodiless. Everything else is exactly the 1.1 bytes.
                boolean same = d instanceof PeerCodec.CoreMessage cm
                        ? java.util.Arrays.equals(bytes, PeerCodec.encode(cm.message()))
                        : d instanceof SnapshotPiece || d instanceof PeerCodec.Capabilities;
                if (!same) {
                    differing.incrementAndGet();
                }
            });
            PaxosReplica m = cell.awaitMaster(5000);
            for (int i = 0; i < 20; i++) {
                m.propose(("c" + i).getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            }
            assertTrue(sent.get() > 20, "messages seen: " + sent.get());
            assertEquals(0, differing.get(), "messages not in peer 1.1 form");
            assertFalse(cell.replicas.values().stream().anyMatch(r -> r.groups().opened().size() != 1));
        }
    }
}
