package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Message;
import io.chubby.protocol.peer.CrossReply;
import io.chubby.protocol.peer.CrossRequest;
import io.chubby.protocol.peer.PeerBatch;
import io.chubby.protocol.peer.PeerMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peer 1.4 cross-group messages (docs/PARTITIONING.md 4.4): consensus stamps sender and receiver,
 * carries them whole and hands them to the cell's handler, never to the groups.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCodecCrossTest {
    private static final byte[] REQUEST = PeerMessage.newBuilder().setCrossRequest(CrossRequest.newBuilder()
            .setToGroup(2).setCallId(7).setStep(com.google.protobuf.ByteString.copyFrom(new byte[] {19, 1})))
            .build().toByteArray();

    @Test
    void aCrossMessageIsStampedAndDecodesWhole() throws Exception {
        byte[] sent = PeerCodec.cross(1, 3, REQUEST);
        PeerMessage pm = PeerMessage.parseFrom(sent);
        assertEquals(1, pm.getFrom());
        assertEquals(3, pm.getTo());
        assertEquals(7, pm.getCrossRequest().getCallId());
        PeerCodec.Cross c = assertInstanceOf(PeerCodec.Cross.class, PeerCodec.decode(sent));
        assertArrayEquals(sent, c.message());
        byte[] reply = PeerMessage.newBuilder().setCrossReply(CrossReply.newBuilder().setCallId(7)).build()
                .toByteArray();
        assertInstanceOf(PeerCodec.Cross.class, PeerCodec.decode(PeerCodec.cross(3, 1, reply)));
    }

    @Test
    void onlyCrossMessagesAreSentAsSuch() {
        byte[] paxos = PeerCodec.encode(new Message.PreVote(3, 1, new Ballot(1, 2), 4));
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.cross(1, 2, paxos));
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.cross(1, 2, new byte[] {(byte) 0xff, 1}));
    }

    @Test
    void aCrossMessageInsideABatchIsRefused() throws Exception {
        byte[] batch = PeerMessage.newBuilder().setFrom(1).setTo(2).setBatch(PeerBatch.newBuilder()
                .addMessages(PeerMessage.parseFrom(REQUEST))).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> PeerCodec.decode(batch));
    }

    @Test
    void theCellsHandlerGetsWhatAnotherReplicaSent() throws Exception {
        try (GroupCell cell = new GroupCell(3, 2)) {
            Map<Integer, byte[]> received = new ConcurrentHashMap<>();
            cell.replicas.get(3).groups().crossHandler((from, bytes) -> received.put(from, bytes));
            cell.replicas.get(1).groups().sendCross(3, REQUEST);
            TestCell.await(5_000, "the request at replica 3", () -> received.containsKey(1));
            PeerMessage got = PeerMessage.parseFrom(received.get(1));
            assertEquals(1, got.getFrom());
            assertEquals(3, got.getTo());
            assertEquals(PeerMessage.parseFrom(REQUEST).getCrossRequest(), got.getCrossRequest());
            assertThrows(IllegalArgumentException.class,
                    () -> cell.replicas.get(1).groups().sendCross(3, new byte[] {(byte) 0xff, 1}));
            assertEquals(List.of(1), List.copyOf(received.keySet()));
        }
    }
}
