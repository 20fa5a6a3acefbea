package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.Mastership;
import io.chubby.cell.internal.master.Proposer;
import io.chubby.cell.internal.master.SessionLeases;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.SessionRecord;
import io.chubby.protocol.CreateSessionReply;
import io.chubby.protocol.Empty;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Session calls on the master: CreateSession, KeepAlive (also for a group of sessions: a proxy's),
 * CloseSession. Creations are batched:
 * while one CreateSessions entry is being committed, newer creations queue up and all of them go
 * into the next entry, so a burst of N creations costs a handful of log writes rather than N (the
 * paper's lesson). Thread-safe: the queue is concurrent and at most one batch is in flight
 * ({@code creating}).
 */
public final class SessionCalls {
    /** Group members checked against the recorded sessions per hold of the state machine's monitor. */
    static final int GROUP_CHECK_CHUNK = 512;

    static final int MAX_BATCH = 1000;

    private record PendingCreate(ClientConnection conn, long callId, String clientName, String principal) {
    }

    private final CellStateMachine machine;
    private final Mastership master;
    private final Proposer proposer;
    private final SessionLeases leases;
    private final Clock clock;
    private final ConcurrentLinkedQueue<PendingCreate> creates = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean creating = new AtomicBoolean();
    private final Delegation delegation;

    SessionCalls(CellStateMachine machine, Mastership master, Clock clock, Delegation delegation) {
        this.delegation = delegation;
        this.machine = machine;
        this.master = master;
        this.proposer = master.proposer();
        this.leases = master.leases();
        this.clock = clock;
    }

    void create(ClientConnection conn, Request req) {
        creates.add(new PendingCreate(conn, req.getCallId(), req.getCreateSession().getClientName(),
                conn.principal().name()));
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
            List<String> principals = batch.stream().map(PendingCreate::principal).toList();
            proposer.propose(new Command.CreateSessions(names, principals, clock.millis())).whenComplete((r, err) -> {
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
                        .setSessionId(id).setLeaseMs(master.policy().leaseMillis()).setEpoch(master.epoch())).build();
                leases.createdOver(id, ActingConnection.unwrap(p.conn()));
            }
            Wire.send(p.conn(), resp);
        }
    }

    /**
     * Fails with SESSION_EXPIRED unless the session is recorded and its lease is live, and with
     * PERMISSION_DENIED when the connection's principal is not the one that created the session (a
     * session id, and so every handle and sequencer fence of the session, is usable only by its
     * principal; the binding is replicated, so it holds across failovers).
     */
    void requireLive(ClientConnection conn, long sessionId) {
        if (sessionId == 0) {
            throw new ChubbyException(ErrorCode.SESSION_EXPIRED, "this call needs a session: send CreateSession first");
        }
        SessionRecord rec = machine.read(s -> s.session(sessionId));
        if (rec == null || !leases.isLive(sessionId)) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d has expired or was closed", sessionId);
        }
        String principal = conn.principal().name();
        if (!rec.principal().equals(principal)) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "session %d belongs to %s, not to %s", sessionId,
                    rec.principal(), principal);
        }
    }

    void keepAlive(ClientConnection conn, Request req) {
        // held KeepAlives remember the transport's connection, whoever the call was made for
        if (!leases.keepAlive(ActingConnection.unwrap(conn), req.getCallId(), req.getSessionId(), req.getKeepAlive())) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d has expired", req.getSessionId());
        }
    }

    /**
     * A proxy's KeepAlive for a group of sessions (issue 17): each member must be a recorded session
     * of the connection's principal, or of the principal the member names ({@code on_behalf_of},
     * only from a trusted proxy: {@link Delegation}), as for its own KeepAlive; a member that is not
     * gets the error in its slot and the others are served.
     */
    void groupKeepAlive(ClientConnection conn, Request req) {
        GroupKeepAliveRequest g = req.getGroupKeepAlive();
        if (g.getGroupId() == 0) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "a group KeepAlive needs a group_id other than 0");
        }
        String own = conn.principal().name();
        List<GroupMember> admitted = new ArrayList<>();
        List<GroupMemberReply> refused = new ArrayList<>();
        // Whom each member acts for, decided before the state is read.
        List<GroupMember> named = new ArrayList<>(g.getMembersCount());
        List<String> principals = new ArrayList<>(g.getMembersCount());
        for (GroupMember m : g.getMembersList()) {
            String principal = own;
            if (!m.getOnBehalfOf().isEmpty()) {
                try {
                    principal = delegation.principal(conn, m.getOnBehalfOf()).name();
                } catch (ChubbyException e) {
                    refused.add(SessionLeases.memberError(m.getSessionId(), e.code(), e.getMessage()));
                    continue;
                }
            }
            named.add(m);
            principals.add(principal);
        }
        // Checked against the recorded sessions a chunk at a time: a group of a large proxy must
        // not hold the state machine's monitor (which applying committed entries needs) for long.
        for (int from = 0; from < named.size(); from += GROUP_CHECK_CHUNK) {
            int start = from;
            int end = Math.min(named.size(), from + GROUP_CHECK_CHUNK);
            machine.read(s -> {
                for (int i = start; i < end; i++) {
                    GroupMember m = named.get(i);
                    long id = m.getSessionId();
                    SessionRecord rec = id == 0 ? null : s.session(id);
                    if (rec == null) {
                        refused.add(SessionLeases.memberError(id, ErrorCode.SESSION_EXPIRED,
                                "session " + id + " has expired or was closed"));
                    } else if (!rec.principal().equals(principals.get(i))) {
                        refused.add(SessionLeases.memberError(id, ErrorCode.PERMISSION_DENIED,
                                "session " + id + " belongs to " + rec.principal() + ", not to " + principals.get(i)));
                    } else {
                        admitted.add(m);
                    }
                }
                return null;
            });
        }
        leases.groupKeepAlive(ActingConnection.unwrap(conn), req.getCallId(), g.getGroupId(), admitted, refused);
    }

    void close(ClientConnection conn, Request req) {
        leases.markClosing(req.getSessionId());
        proposer.proposeAndReply(conn, req, new Command.EndSession(req.getSessionId(), "closed by client", false,
                clock.millis()),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }
}
