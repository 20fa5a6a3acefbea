package io.chubby.cell.internal.cross;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import io.chubby.protocol.peer.CrossReply;
import io.chubby.protocol.peer.CrossRequest;
import io.chubby.protocol.peer.Heartbeat;
import io.chubby.protocol.peer.PeerMessage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The cross-group messages' bytes (peer 1.4 CrossRequest / CrossReply): round trips and malformed input. */
class CrossWireTest {
    private static final Command SEAL = new Command.SealDir("/d", 7, 42);

    @Test
    void everyCrossStepAndItsAnswersTravel() {
        for (Command step : new Command[] {new Command.AnchorDir("/d", 7, "r", "w", "c", 3, true), SEAL,
                new Command.DropAnchor("/d", 7, 42)}) {
            CrossWire.Request q = (CrossWire.Request) CrossWire.decode(CrossWire.request(3, 99, step));
            assertEquals(3, q.toGroup());
            assertEquals(99, q.callId());
            assertEquals(step, CrossWire.step(q));
        }
        for (Result r : new Result[] {new Result.DirOutcome(Outcome.SEALED, 42), new Result.Done(),
                new Result.Failed(ErrorCode.CELL_UNAVAILABLE, "directory /d is being deleted; retry")}) {
            CrossWire.Reply back = (CrossWire.Reply) CrossWire.decode(CrossWire.reply(CrossWire.Reply.of(5, 2, r)));
            assertEquals(5, back.callId());
            assertEquals(2, back.toGroup());
            assertEquals(r, back.result());
            assertNull(back.error());
        }
        CrossWire.Reply refused = (CrossWire.Reply) CrossWire.decode(CrossWire.reply(CrossWire.Reply.failed(6, 1,
                ChubbyException.of(ErrorCode.NOT_MASTER, "not the master of group 1"), 3)));
        assertEquals(ErrorCode.NOT_MASTER, refused.error().code());
        assertEquals("not the master of group 1", refused.error().detail());
        assertEquals(3, refused.masterHint());
        assertNull(refused.result());
    }

    @Test
    void anAclCopyTravelsWithItsContents() {
        Command.AclCopy copy = new Command.AclCopy("/acl/gate", 12, 4, "alice bob".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                false, true, 2 * 57 + 1);
        CrossWire.Request q = (CrossWire.Request) CrossWire.decode(CrossWire.request(2, 17, copy));
        Command.AclCopy back = assertInstanceOf(Command.AclCopy.class, CrossWire.step(q));
        assertEquals(copy.path(), back.path());
        assertEquals(copy.instance(), back.instance());
        assertEquals(copy.generation(), back.generation());
        assertArrayEquals(copy.contents(), back.contents());
        assertEquals(copy.deleted(), back.deleted());
        assertEquals(copy.pending(), back.pending());
        assertEquals(copy.stamp(), back.stamp());
        CrossWire.Reply done = (CrossWire.Reply) CrossWire.decode(CrossWire.reply(CrossWire.Reply.of(17, 2, new Result.Done())));
        assertEquals(new Result.Done(), done.result());
    }

    @Test
    void malformedBytesAreInvalidArgument() {
        byte[] good = CrossWire.request(1, 9, SEAL);
        invalid(() -> CrossWire.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        invalid(() -> CrossWire.decode(Arrays.copyOf(good, good.length - 2))); // cut inside the step
        invalid(() -> CrossWire.decode(PeerMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance())
                .build().toByteArray()));
        invalid(() -> CrossWire.decode(new byte[0])); // no body
        byte[] badResult = PeerMessage.newBuilder().setCrossReply(CrossReply.newBuilder().setCallId(4)
                .setResult(ByteString.copyFrom(new byte[] {99}))).build().toByteArray();
        invalid(() -> CrossWire.decode(badResult));
    }

    @Test
    void anUnreadableStepIsRefusedWithItsCallId() {
        CrossWire.Request garbage = request(new byte[] {(byte) 19, 1});
        ChubbyException e = invalid(() -> CrossWire.step(garbage));
        assertTrue(e.detail().contains("cross call 11"), e.detail());
        // A readable command is the receiving group's to refuse if it is no cross step (LocalCrossCalls).
        assertEquals(new Command.Noop(), CrossWire.step(request(CommandCodec.encode(new Command.Noop()))));
    }

    @Test
    void aReplyWithAnUnknownErrorCodeIsStillAnError() {
        byte[] bytes = PeerMessage.newBuilder().setCrossReply(CrossReply.newBuilder().setCallId(4).setErrorCode(9999)
                .setError("from a newer replica")).build().toByteArray();
        CrossWire.Reply r = (CrossWire.Reply) CrossWire.decode(bytes);
        assertInstanceOf(ChubbyException.class, r.error());
        assertNull(r.result());
    }

    @Test
    void theStepIsCommandCodecsBytes() throws Exception {
        PeerMessage pm = PeerMessage.parseFrom(CrossWire.request(2, 8, SEAL));
        CrossRequest q = pm.getCrossRequest();
        assertArrayEquals(CommandCodec.encode(SEAL), q.getStep().toByteArray());
        assertEquals(0, pm.getFrom()); // consensus sets from and to when it sends
    }

    private static CrossWire.Request request(byte[] step) {
        return (CrossWire.Request) CrossWire.decode(PeerMessage.newBuilder().setCrossRequest(CrossRequest.newBuilder()
                .setToGroup(1).setCallId(11).setStep(ByteString.copyFrom(step))).build().toByteArray());
    }

    private static ChubbyException invalid(Executable call) {
        ChubbyException e = assertThrows(ChubbyException.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.detail());
        return e;
    }
}
