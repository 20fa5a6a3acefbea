package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.LockWaits;
import io.chubby.cell.internal.master.Proposer;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.LockRecord;
import io.chubby.cell.internal.state.Modes;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Sequencer;
import io.chubby.protocol.CheckSequencerReply;
import io.chubby.protocol.Empty;
import io.chubby.protocol.LockInfoReply;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.LockParty;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SequencerReply;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.List;

/**
 * Lock and sequencer calls on the master (SPEC section 5): Acquire / TryAcquire (held in
 * {@link LockWaits} while waiting), Release, GetSequencer, CheckSequencer, SetSequencer and
 * LockInfo. Like {@link FileCalls}, calls arrive decoded (handle authenticated) and are validated against the in-memory state first and
 * only then proposed; sequencer reads are answered from memory. Thread-safe.
 */
final class LockCalls {
    private final CellStateMachine machine;
    private final Proposer proposer;
    private final LockWaits waits;
    private final Clock clock;

    LockCalls(CellStateMachine machine, Proposer proposer, LockWaits waits, Clock clock) {
        this.machine = machine;
        this.proposer = proposer;
        this.waits = waits;
        this.clock = clock;
    }

    void acquire(Call call) {
        ClientConnection conn = call.conn;
        Request req = call.req;
        var a = req.getAcquire();
        HandleRecord h = call.handle;
        if (!Modes.canWrite(h.modeBits())) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED,
                    "handle %d on %s was not opened for writing: locking needs WRITE", h.handleId(), call.path());
        }
        int mode = a.getModeValue();
        if (mode != LockRecord.EXCLUSIVE && mode != LockRecord.SHARED) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "unknown lock mode %d", mode);
        }
        long callId = req.getCallId();
        if (!a.getTryOnly()) {
            // Held before proposing: a grant applied before this proposal's future completes still finds it.
            waits.hold(conn, callId, req.getSessionId(), h.handleId(), a.getTimeoutMs(), mode);
        }
        Command cmd = call.guarded(new Command.Acquire(req.getSessionId(), h.handleId(), mode, a.getTryOnly(),
                clock.millis()));
        if (a.getTryOnly()) {
            proposer.proposeAndReply(conn, req, cmd, r -> {
                var l = (io.chubby.cell.internal.state.Result.Locked) r;
                return Response.newBuilder().setAcquire(io.chubby.protocol.AcquireReply.newBuilder()
                        .setAcquired(l.outcome() == io.chubby.cell.internal.state.Result.Locked.GRANTED)
                        .setLockGeneration(l.generation()));
            });
        } else {
            proposer.propose(cmd).whenComplete((r, err) -> waits.proposed(h.handleId(), callId, r, err));
        }
    }

    void release(Call call) {
        Request req = call.req;
        HandleRecord h = call.handle;
        proposer.proposeAndReply(call.conn, req, new Command.Release(req.getSessionId(), h.handleId(), clock.millis()),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    void getSequencer(Call call) {
        Request req = call.req;
        byte[] bytes = machine.read(s -> {
            HandleRecord h = s.checkHandle(req.getGetSequencer().getHandle().toByteArray(), req.getSessionId());
            return s.locks().sequencerFor(h).encode(s.secret());
        });
        send(call.conn, Response.newBuilder().setCallId(req.getCallId())
                .setSequencer(SequencerReply.newBuilder().setSequencer(com.google.protobuf.ByteString.copyFrom(bytes))));
    }

    void checkSequencer(Call call) {
        Request req = call.req;
        byte[] bytes = req.getCheckSequencer().getSequencer().toByteArray();
        String problem = machine.read(s -> {
            Sequencer q;
            try {
                q = Sequencer.decode(bytes, s.secret());
            } catch (ChubbyException e) {
                if (e.code() == ErrorCode.CELL_UNAVAILABLE) {
                    throw e;
                }
                return e.detail();
            }
            return s.locks().problem(q);
        });
        CheckSequencerReply.Builder b = CheckSequencerReply.newBuilder().setValid(problem == null);
        if (problem != null) {
            b.setReason(problem);
        }
        send(call.conn, Response.newBuilder().setCallId(req.getCallId()).setCheckSequencer(b));
    }

    void setSequencer(Call call) {
        Request req = call.req;
        var q = req.getSetSequencer();
        HandleRecord h = call.handle;
        byte[] bytes = q.getSequencer().toByteArray();
        machine.read(s -> {
            Sequencer seq = Sequencer.decode(bytes, s.secret());
            s.locks().refuseForeignFence(seq, h);
            String why = s.locks().problem(seq);
            if (why != null) {
                throw ChubbyException.of(ErrorCode.STALE_SEQUENCER, "sequencer %s is not valid: %s", seq, why);
            }
            return seq;
        });
        proposer.proposeAndReply(call.conn, req,
                call.guarded(new Command.SetSequencer(req.getSessionId(), h.handleId(), bytes)),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    /** Holders and waiters of the handle's node, for `chubby locks` and `stat`. */
    void lockInfo(Call call) {
        Request req = call.req;
        long now = clock.millis();
        LockInfoReply reply = machine.read(s -> {
            HandleRecord h = s.checkHandle(req.getLockInfo().getHandle().toByteArray(), req.getSessionId());
            Node n = s.nodeOf(h);
            LockRecord r = s.locks().lockOf(h);
            LockInfoReply.Builder b = LockInfoReply.newBuilder().setLockGeneration(n.lockGeneration());
            parties(r.holders(), s.locks(), b::addHolders);
            parties(r.waiters(), s.locks(), b::addWaiters);
            if (r.delayUntilMillis() != 0) {
                b.setLockDelayUntilMs(r.delayUntilMillis())
                        .setLockDelayRemainingMs(Math.max(0, r.delayUntilMillis() - now));
            }
            return b.build();
        });
        send(call.conn, Response.newBuilder().setCallId(req.getCallId()).setLockInfo(reply));
    }

    private static void parties(List<LockRecord.Party> parties, io.chubby.cell.internal.state.LockTable t,
                                java.util.function.Consumer<LockParty> add) {
        for (LockRecord.Party p : parties) {
            add.accept(LockParty.newBuilder().setSessionId(p.sessionId()).setHandleId(p.handleId())
                    .setMode(p.mode() == LockRecord.SHARED ? LockModeKind.SHARED : LockModeKind.EXCLUSIVE)
                    .setClientName(t.clientName(p.sessionId())).build());
        }
    }

    private static void send(ClientConnection conn, Response.Builder r) {
        Wire.send(conn, r.build());
    }
}
