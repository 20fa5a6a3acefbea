package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.client.LockInfo;
import io.chubby.client.Sequencer;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.LockInfoRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.LockParty;
import io.chubby.protocol.ReleaseRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetSequencerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The lock calls of one {@link ClientHandle}, as requests and answers. Every lock call is safe to
 * re-send (the master makes Acquire idempotent per handle: a re-sent Acquire re-attaches to its
 * wait or finds the lock held; releasing nothing succeeds), so all are retried like reads, which
 * also carries a waiting Acquire over a master failover. Stateless apart from the handle bytes.
 */
final class HandleLocks {
    /** "No timeout" for a blocking Acquire: the call outlives any realistic wait. */
    private static final long FOREVER_MS = Duration.ofDays(365).toMillis();

    private final ClientCore core;
    private final SessionCalls calls; // the handle's partition session's
    private final ByteString handle;
    private final String path;

    HandleLocks(ClientCore core, SessionCalls calls, ByteString handle, String path) {
        this.core = core;
        this.calls = calls;
        this.handle = handle;
        this.path = path;
    }

    /** Acquire (blocking at the master unless {@code tryOnly}); completes with whether it was granted. */
    CompletableFuture<Boolean> acquire(LockMode mode, Duration timeout, boolean tryOnly) {
        long serverMs = timeout == null || tryOnly ? 0 : Math.max(1, timeout.toMillis());
        AcquireRequest.Builder a = AcquireRequest.newBuilder().setHandle(handle).setMode(kind(mode))
                .setTryOnly(tryOnly).setTimeoutMs(serverMs);
        Request.Builder b = Request.newBuilder().setAcquire(a);
        CompletableFuture<Response> raw;
        if (tryOnly) {
            raw = calls.call(b, false);
        } else {
            // The master answers at its own deadline; ours leaves one call timeout for that answer.
            long localMs = timeout == null ? FOREVER_MS : serverMs + core.options().callTimeout().toMillis();
            raw = calls.callWaiting(b, false, localMs);
        }
        CompletableFuture<Boolean> out = raw.thenApply(r -> {
            expect(r, r.hasAcquire(), "Acquire");
            return r.getAcquire().getAcquired();
        });
        if (!tryOnly) {
            out.whenComplete((v, e) -> {
                if (e != null && mayHoldOrWait(Futures.chubby(e))) {
                    // Cancelled, or no answer in time: the master may still hold our wait or have
                    // granted it; Release settles both (best effort).
                    release().exceptionally(x -> null);
                    raw.cancel(false);
                }
            });
        }
        return out;
    }

    private static boolean mayHoldOrWait(ChubbyException e) {
        return switch (e.code()) {
            case CANCELLED, CELL_UNAVAILABLE, OUTCOME_UNKNOWN, INTERNAL -> true;
            default -> false;
        };
    }

    CompletableFuture<Void> release() {
        return calls.call(Request.newBuilder().setRelease(ReleaseRequest.newBuilder()
                .setHandle(handle)), false).thenApply(r -> null);
    }

    CompletableFuture<Sequencer> getSequencer() {
        return calls.call(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder()
                .setHandle(handle)), false).thenApply(r -> {
                    expect(r, r.hasSequencer(), "GetSequencer");
                    return Sequencer.decode(r.getSequencer().getSequencer().toByteArray());
                });
    }

    CompletableFuture<Void> setSequencer(Sequencer s) {
        return calls.call(Request.newBuilder().setSetSequencer(SetSequencerRequest.newBuilder()
                .setHandle(handle).setSequencer(ByteString.copyFrom(s.bytes()))), false).thenApply(r -> null);
    }

    CompletableFuture<LockInfo> lockInfo() {
        return calls.call(Request.newBuilder().setLockInfo(LockInfoRequest.newBuilder()
                .setHandle(handle)), false).thenApply(r -> {
                    expect(r, r.hasLockInfo(), "LockInfo");
                    var li = r.getLockInfo();
                    return new LockInfo(li.getLockGeneration(), parties(li.getHoldersList()),
                            parties(li.getWaitersList()), li.getLockDelayRemainingMs());
                });
    }

    private static List<LockInfo.Party> parties(List<LockParty> list) {
        List<LockInfo.Party> out = new ArrayList<>(list.size());
        for (LockParty p : list) {
            out.add(new LockInfo.Party(p.getSessionId(), p.getHandleId(),
                    p.getMode() == LockModeKind.SHARED ? LockMode.SHARED : LockMode.EXCLUSIVE, p.getClientName()));
        }
        return out;
    }

    private void expect(Response r, boolean ok, String call) {
        if (!ok) {
            throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "unexpected answer " + r.getBodyCase() + " to "
                    + call + " on " + path);
        }
    }

    static LockModeKind kind(LockMode mode) {
        return mode == LockMode.SHARED ? LockModeKind.SHARED : LockModeKind.EXCLUSIVE;
    }
}
