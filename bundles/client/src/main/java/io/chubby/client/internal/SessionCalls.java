package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.internal.Connection.Answer;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.concurrent.CompletableFuture;

/**
 * The client's calls in one partition session, sent through that partition's
 * {@link MasterFollower} like any raw channel call: stamps the session id and the partition, waits while the session is in jeopardy, and turns the
 * master's error answers into {@link ChubbyException}s (SESSION_EXPIRED also ends the session).
 * Futures complete on the I/O thread; the handle and client code hands them out. Thread-safe;
 * stateless apart from what it is given.
 */
final class SessionCalls {
    /** What the calls need from the session. */
    interface Gate {
        /** Completes when calls may proceed; fails with SESSION_EXPIRED when they never will. */
        CompletableFuture<Void> usable();

        /** The session's id (0 before CreateSession was answered). */
        long sessionId();

        /** The master answered SESSION_EXPIRED. */
        void expiredAtMaster(String detail);

        /** The session lease the master granted last, in milliseconds (0 before the session exists). */
        long leaseMillis();
    }

    private final MasterFollower channel;
    private final Gate gate;
    private final long callTimeoutMs;

    SessionCalls(MasterFollower channel, Gate gate, long callTimeoutMs) {
        this.channel = channel;
        this.gate = gate;
        this.callTimeoutMs = callTimeoutMs;
    }

    MasterFollower channel() {
        return channel;
    }

    /**
     * A call with the default timeout, waiting while the session is in jeopardy. A write's deadline
     * follows the session: the master may hold a write until a cache holder's lease ends (a holder
     * that died, or does not acknowledge its invalidation), up to one lease, and the lease grows
     * under load (up to 60 s); a client deadline shorter than that would end a write the master is
     * legitimately holding with "outcome unknown". So a write gets the lease last granted plus the
     * call timeout, and at least the call timeout.
     */
    CompletableFuture<Response> call(Request.Builder body, boolean write) {
        return callWaiting(body, write, write ? writeTimeoutMillis() : callTimeoutMs);
    }

    /** How long a write may take: the session's lease plus the call timeout. */
    long writeTimeoutMillis() {
        return callTimeoutMs + Math.max(0, gate.leaseMillis());
    }

    /**
     * A call with its own timeout that still waits while the session is in jeopardy (blocking
     * Acquire: the master holds it far longer than a normal call).
     */
    CompletableFuture<Response> callWaiting(Request.Builder body, boolean write, long timeoutMs) {
        return gate.usable().thenCompose(v -> callNow(body, write, timeoutMs));
    }

    /** A call that does not wait for the session (session set-up, KeepAlive, Close, location). */
    CompletableFuture<Response> callNow(Request.Builder body, boolean write, long timeoutMs) {
        if (channel.partition() != 0) {
            body.setPartition(channel.partition()); // unset for partition 0: group 0's bytes as before partitions
        }
        byte[] request = body.setSessionId(gate.sessionId()).build().toByteArray();
        return channel.submit(request, write, timeoutMs).handle(this::settle);
    }

    /** The master's answer, or its error (or the channel's failure) as the API's exception. */
    private Response settle(Answer a, Throwable failure) {
        if (failure != null) {
            ChubbyException ce = Futures.chubby(failure);
            if (ce.code() == ErrorCode.CANCELLED && channel.isClosed()) {
                throw new ChubbyException(ErrorCode.SESSION_EXPIRED, "the client is closed", ce);
            }
            throw ce;
        }
        Response r = a.response();
        if (!r.hasError()) {
            return r;
        }
        ChubbyException ce = Wire.error(r);
        if (ce.code() == ErrorCode.SESSION_EXPIRED) {
            gate.expiredAtMaster(ce.detail());
        }
        throw ce;
    }
}
