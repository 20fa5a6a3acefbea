package io.chubby.cell.internal.cross;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.peer.CrossReply;
import io.chubby.protocol.peer.CrossRequest;
import io.chubby.protocol.peer.PeerMessage;

/**
 * The cross-group messages on the peer links (peer 1.4 {@code CrossRequest} / {@code CrossReply},
 * docs/PARTITIONING.md 4.4) as {@code PeerMessage} bytes, which consensus carries without reading.
 * The step travels in {@link CommandCodec}'s encoding and the answer in {@link Result#encode}'s, so
 * a new cross step needs no wire change. Decoding never trusts the bytes: anything malformed is a
 * {@link ChubbyException} INVALID_ARGUMENT. Stateless.
 */
public final class CrossWire {

    /** A received message: a request or a reply. */
    public sealed interface Message permits Request, Reply {
    }

    /**
     * A request to propose a step in {@code toGroup}; {@code step} is still encoded: a request whose
     * step cannot be read is still answered, by its call id ({@link #step}).
     */
    public record Request(int toGroup, long callId, byte[] step) implements Message {
    }

    /** The answer to call {@code callId}: {@code result}, or {@code error} ({@code masterHint} on NOT_MASTER, 0 = none). */
    public record Reply(long callId, int toGroup, Result result, ChubbyException error, int masterHint)
            implements Message {
        public static Reply of(long callId, int toGroup, Result result) {
            return new Reply(callId, toGroup, result, null, 0);
        }

        public static Reply failed(long callId, int toGroup, ChubbyException error, int masterHint) {
            return new Reply(callId, toGroup, null, error, masterHint);
        }
    }

    private CrossWire() {
    }

    /** The bytes of a request to propose {@code step} in {@code toGroup} as call {@code callId}. */
    public static byte[] request(int toGroup, long callId, Command step) {
        return PeerMessage.newBuilder().setCrossRequest(CrossRequest.newBuilder().setToGroup(toGroup)
                .setCallId(callId).setStep(ByteString.copyFrom(CommandCodec.encode(step)))).build().toByteArray();
    }

    /** The bytes of {@code r}. */
    public static byte[] reply(Reply r) {
        CrossReply.Builder b = CrossReply.newBuilder().setCallId(r.callId()).setToGroup(r.toGroup());
        if (r.error() != null) {
            b.setErrorCode(r.error().code().wire()).setError(r.error().detail()).setMasterHint(r.masterHint());
        } else {
            b.setResult(ByteString.copyFrom(r.result().encode()));
        }
        return PeerMessage.newBuilder().setCrossReply(b).build().toByteArray();
    }

    /** Reads a received message. */
    public static Message decode(byte[] bytes) {
        PeerMessage pm;
        try {
            pm = PeerMessage.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw bad("malformed cross-group message: %s", e.getMessage());
        }
        return switch (pm.getBodyCase()) {
            case CROSS_REQUEST -> {
                CrossRequest q = pm.getCrossRequest();
                yield new Request(q.getToGroup(), q.getCallId(), q.getStep().toByteArray());
            }
            case CROSS_REPLY -> reply(pm.getCrossReply());
            default -> throw bad("not a cross-group message: %s", pm.getBodyCase());
        };
    }

    /**
     * The step of a request, or INVALID_ARGUMENT when it cannot be read. Whether it is a cross step
     * at all is the receiving group's check ({@link LocalCrossCalls}, the one list of them).
     */
    public static Command step(Request r) {
        try {
            return CommandCodec.decode(r.step());
        } catch (ChubbyException e) {
            throw bad("unreadable step in cross call %d: %s", r.callId(), e.detail());
        }
    }

    private static Reply reply(CrossReply p) {
        if (p.getErrorCode() != 0) {
            ErrorCode code = ErrorCode.fromWire(p.getErrorCode());
            return Reply.failed(p.getCallId(), p.getToGroup(), new ChubbyException(code, p.getError()),
                    p.getMasterHint());
        }
        try {
            return Reply.of(p.getCallId(), p.getToGroup(), Result.decode(p.getResult().toByteArray()));
        } catch (ChubbyException e) {
            throw bad("unreadable result of cross call %d: %s", p.getCallId(), e.detail());
        }
    }

    private static ChubbyException bad(String fmt, Object... args) {
        return ChubbyException.of(ErrorCode.INVALID_ARGUMENT, fmt, args);
    }
}
