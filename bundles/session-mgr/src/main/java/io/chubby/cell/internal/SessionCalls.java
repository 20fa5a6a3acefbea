package io.chubby.cell.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.CreateSessionReply;
import io.chubby.protocol.Empty;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session calls on the master. Creations are batched: while one CreateSessions entry is being
 * committed, newer creations queue up and all of them go into the next entry, so a burst of N
 * creations costs a handful of log writes rather than N (the paper's lesson). Thread-safe: the
 * queue is concurrent and at most one batch is in flight ({@code creating}).
 */
final class SessionCalls {
    private static final Logger log = LoggerFactory.getLogger(SessionCalls.class);
    static final int MAX_BATCH = 1000;

    private record PendingCreate(ClientConnection conn, long callId, String clientName) {
    }

    private final CellStateMachine machine;
    private final Proposer proposer;
    private final SessionLeases leases;
    private final CellSettings settings;
    private final Clock clock;
    private final LongSupplier epoch;
    private final LongSupplier leaseMillis;
    private final ConcurrentLinkedQueue<PendingCreate> creates = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean creating = new AtomicBoolean();

    SessionCalls(CellStateMachine machine, Proposer proposer, SessionLeases leases, CellSettings settings,
                 Clock clock, LongSupplier epoch, LongSupplier leaseMillis) {
        this.leaseMillis = leaseMillis;
        this.machine = machine;
        this.proposer = proposer;
        this.leases = leases;
        this.settings = settings;
        this.clock = clock;
        this.epoch = epoch;
    }

    void create(ClientConnection conn, Request req) {
        creates.add(new PendingCreate(conn, req.getCallId(), req.getCreateSession().getClientName()));
        pump();
    }

    private void pump() {
        while (!creates.isEmpty() && creating.compareAndSet(false, true)) {
            List<PendingCreate> batch = new ArrayList<>();
            PendingCreate p;
            while (batch.size() < MAX_BATCH && (p = creates.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                creating.set(false);
                continue;
            }
            List<String> names = batch.stream().map(PendingCreate::clientName).toList();
            proposer.propose(new Command.CreateSessions(names, clock.millis())).whenComplete((r, err) -> {
                answer(batch, r, err);
                creating.set(false);
                pump();
            });
            return; // the completion pumps the next batch
        }
    }

    private void answer(List<PendingCreate> batch, Result r, Throwable err) {
        for (int i = 0; i < batch.size(); i++) {
            PendingCreate p = batch.get(i);
            Response resp;
            if (err != null) {
                resp = proposer.failure(p.callId(), Proposer.unwrap(err));
            } else if (r instanceof Result.Failed f) {
                resp = Wire.error(p.callId(), f.code(), f.message());
            } else {
                long id = ((Result.SessionsCreated) r).sessionIds().get(i);
                resp = Response.newBuilder().setCallId(p.callId()).setCreateSession(CreateSessionReply.newBuilder()
                        .setSessionId(id).setLeaseMs(leaseMillis.getAsLong()).setEpoch(epoch.getAsLong())).build();
            }
            if (p.conn().isOpen()) {
                p.conn().send(resp.toByteArray());
            }
        }
    }

    /** Fails with SESSION_EXPIRED unless the session is recorded and its lease is live. */
    void requireLive(long sessionId) {
        if (sessionId == 0) {
            throw new ChubbyException(ErrorCode.SESSION_EXPIRED, "this call needs a session: send CreateSession first");
        }
        if (!machine.read(s -> s.hasSession(sessionId)) || !leases.isLive(sessionId)) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d has expired or was closed", sessionId);
        }
    }

    void keepAlive(ClientConnection conn, Request req) {
        requireLive(req.getSessionId());
        if (!leases.keepAlive(conn, req.getCallId(), req.getSessionId(), req.getKeepAlive())) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d has expired", req.getSessionId());
        }
    }

    void close(ClientConnection conn, Request req) {
        requireLive(req.getSessionId());
        leases.markEnding(req.getSessionId());
        proposer.proposeAndReply(conn, req, new Command.EndSession(req.getSessionId(), "closed by client", false,
                clock.millis()),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    /** No handles and no calls for the idle time: end the session (not an expiry: no lock-delay). */
    void endIdle(long sessionId) {
        log.info("ending idle session={}", sessionId);
        leases.markEnding(sessionId);
        proposer.propose(new Command.EndSession(sessionId, "idle", false, clock.millis())).whenComplete((r, err) -> {
            if (err != null) {
                log.warn("could not end idle session={} cause={}", sessionId, Proposer.unwrap(err).getMessage());
                leases.expiryFailed(sessionId);
            }
        });
    }

    /** A lease ran out with no KeepAlive held: end the session through the log. */
    void expire(long sessionId) {
        log.info("session lease expired session={}", sessionId);
        proposer.propose(new Command.EndSession(sessionId, "lease expired", true, clock.millis())).whenComplete((r, err) -> {
            if (err != null) {
                log.warn("could not end expired session={} cause={}", sessionId, Proposer.unwrap(err).getMessage());
                leases.expiryFailed(sessionId);
            }
        });
    }
}
