package io.chubby.cell.internal.master;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.LockNotice;
import io.chubby.cell.internal.state.LockRecord;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.AcquireReply;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's memory of blocking Acquires (never logged): the held request of each waiting
 * handle, answered when an applied entry grants or ends its wait, or when its timeout passes (the
 * master then proposes CancelWait). Also turns lock notices into events, proposes
 * LockDelayExpired when a lock-delay has passed, and cancels waits nobody asks about any more.
 *
 * <p>Waits themselves are replicated: after a failover the new master has the same queue; a client
 * re-sends its Acquire, which re-attaches (Acquire is idempotent per handle). A replicated wait whose
 * Acquire is not re-sent within one session lease is cancelled ({@code orphanMillis}).
 *
 * <p>Threads: request threads, the apply thread (notices) and the timer call in; the map is guarded
 * by this object's monitor. State reads ({@link CellStateMachine#read}) are never made while holding
 * it, so the lock order is always state then waits.
 */
public final class LockWaits {
    private static final Logger log = LoggerFactory.getLogger(LockWaits.class);

    /** A held Acquire request. */
    private static final class Pending {
        final ClientConnection conn;
        final long callId;
        final long sessionId;
        final long deadline;
        final int mode;
        boolean cancelling;

        Pending(ClientConnection conn, long callId, long sessionId, long deadline, int mode) {
            this.conn = conn;
            this.callId = callId;
            this.sessionId = sessionId;
            this.deadline = deadline;
            this.mode = mode;
        }
    }

    private final CellStateMachine machine;
    private final Proposer proposer;
    private final SessionLeases leases;
    private final Clock clock;
    private final BooleanSupplier isMaster;
    private final long orphanMillis;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<Long, Long> orphanSince = new HashMap<>();
    private final Set<Long> cancelsInFlight = new HashSet<>();
    private final Set<String> delaysInFlight = new HashSet<>();

    public LockWaits(CellStateMachine machine, Proposer proposer, SessionLeases leases, Clock clock,
              BooleanSupplier isMaster, long orphanMillis) {
        this.machine = machine;
        this.proposer = proposer;
        this.leases = leases;
        this.clock = clock;
        this.isMaster = isMaster;
        this.orphanMillis = orphanMillis;
    }

    /** Holds an Acquire for {@code handleId}; an older held Acquire of the same handle is answered CANCELLED. */
    public void hold(ClientConnection conn, long callId, long sessionId, long handleId, long timeoutMillis, int mode) {
        long deadline = timeoutMillis > 0 ? clock.millis() + timeoutMillis : Long.MAX_VALUE;
        Pending old;
        synchronized (this) {
            old = pending.put(handleId, new Pending(conn, callId, sessionId, deadline, mode));
            orphanSince.remove(handleId);
        }
        if (old != null && old.callId != callId) {
            send(old.conn, Wire.error(old.callId, ErrorCode.CANCELLED, "superseded by a newer Acquire on this handle"));
        }
    }

    /** The Acquire's own proposal completed: answer unless it is still waiting. */
    public void proposed(long handleId, long callId, Result result, Throwable err) {
        Response r;
        if (err != null) {
            r = proposer.failure(callId, Proposer.unwrap(err));
        } else if (result instanceof Result.Failed f) {
            r = Wire.error(callId, f.code(), f.message());
        } else if (result instanceof Result.Locked l && l.outcome() == Result.Locked.WAITING) {
            return; // a later grant, cancel or timeout answers it
        } else {
            Result.Locked l = (Result.Locked) result;
            r = acquired(callId, l.outcome() == Result.Locked.GRANTED, l.generation());
        }
        answer(handleId, callId, r);
    }

    /** Removes the held request if it is still call {@code callId} (-1: any) and sends {@code r} to it. */
    private void answer(long handleId, long callId, Response r) {
        Pending p;
        synchronized (this) {
            p = pending.get(handleId);
            if (p == null || (callId >= 0 && p.callId != callId)) {
                return;
            }
            pending.remove(handleId);
        }
        send(p.conn, r.getCallId() == p.callId ? r : r.toBuilder().setCallId(p.callId).build());
    }

    private void answerIfMode(long handleId, int mode, Response r) {
        Pending p;
        synchronized (this) {
            p = pending.get(handleId);
            if (p == null || p.mode != mode) {
                return;
            }
            pending.remove(handleId);
        }
        send(p.conn, r.toBuilder().setCallId(p.callId).build());
    }

    private static Response acquired(long callId, boolean acquired, long generation) {
        return Response.newBuilder().setCallId(callId)
                .setAcquire(AcquireReply.newBuilder().setAcquired(acquired).setLockGeneration(generation)).build();
    }

    /** After every applied entry (apply thread): act on its lock notices on the master. */
    public void applied() {
        List<LockNotice> notices = machine.read(s -> s.locks().drainNotices());
        if (notices.isEmpty() || !isMaster.getAsBoolean()) {
            return;
        }
        for (LockNotice n : notices) {
            if (n instanceof LockNotice.Granted g) {
                // Only a held Acquire of the mode granted: a newer Acquire of the other mode that
                // replaced it is answered by its own proposal (which fails: the handle already
                // holds the lock in the granted mode). Telling it GRANTED would make a client
                // asking for EXCLUSIVE believe it holds what it shares (found by the whole-cell
                // simulation, seed 3089).
                answerIfMode(g.handleId(), g.mode(), acquired(0, true, g.generation()));
            } else if (n instanceof LockNotice.WaitEnded w) {
                answer(w.handleId(), -1, Wire.error(0, w.code(), w.message()));
            } else if (n instanceof LockNotice.Acquired a) {
                List<HandleRecord> subs = machine.read(s -> s.locks().subscribers(a.instance(),
                        EventKind.LOCK_ACQUIRED_VALUE));
                for (HandleRecord h : subs) {
                    event(h, EventKind.LOCK_ACQUIRED, a.path(), a.generation());
                }
            } else if (n instanceof LockNotice.Conflict c) {
                for (LockRecord.Party p : c.holders()) {
                    HandleRecord h = machine.read(s -> s.handle(p.handleId()));
                    if (h != null) {
                        event(h, EventKind.CONFLICTING_LOCK_REQUEST, c.path(), c.generation());
                    }
                }
            }
        }
    }

    private void event(HandleRecord h, EventKind kind, String path, long generation) {
        byte[] token = machine.read(s -> h.token().encode(s.secret()));
        leases.queueEvent(h.sessionId(), EventMessage.newBuilder().setKind(kind).setPath(path)
                .setGeneration(generation).setHandle(com.google.protobuf.ByteString.copyFrom(token)));
    }

    /** Timer step on the master: timeouts, passed lock-delays, orphaned waits. */
    public void tick() {
        long now = clock.millis();
        List<String> delays = machine.read(s -> s.locks().delaysDue(now));
        List<LockRecord.Party> waiters = machine.read(s -> s.locks().waiters());
        List<long[]> cancels = new ArrayList<>(); // {sessionId, handleId, callId or -1}
        List<String> expire = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Long, Pending> e : pending.entrySet()) {
                Pending p = e.getValue();
                if (!p.cancelling && now >= p.deadline) {
                    p.cancelling = true;
                    cancels.add(new long[] {p.sessionId, e.getKey(), p.callId});
                }
            }
            Set<Long> waiting = new HashSet<>();
            for (LockRecord.Party w : waiters) {
                waiting.add(w.handleId());
                if (!pending.containsKey(w.handleId())) {
                    long since = orphanSince.computeIfAbsent(w.handleId(), k -> now);
                    if (now - since >= orphanMillis && cancelsInFlight.add(w.handleId())) {
                        cancels.add(new long[] {w.sessionId(), w.handleId(), -1});
                    }
                }
            }
            orphanSince.keySet().retainAll(waiting);
            for (String path : delays) {
                if (delaysInFlight.add(path)) {
                    expire.add(path);
                }
            }
        }
        for (long[] c : cancels) {
            cancel(c[0], c[1], c[2], now);
        }
        for (String path : expire) {
            log.info("lock-delay passed path={}", path);
            proposer.propose(new Command.LockDelayExpired(path, now)).whenComplete((r, err) -> {
                synchronized (this) {
                    delaysInFlight.remove(path);
                }
            });
        }
    }

    /** Proposes CancelWait; the outcome answers held call {@code callId} (-1: whichever is held). */
    private void cancel(long sessionId, long handleId, long callId, long now) {
        proposer.propose(new Command.CancelWait(sessionId, handleId, now)).whenComplete((r, err) -> {
            synchronized (this) {
                cancelsInFlight.remove(handleId);
            }
            if (err != null) {
                answer(handleId, callId, proposer.failure(callId, Proposer.unwrap(err)));
            } else if (r instanceof Result.Locked l) {
                answer(handleId, callId, acquired(callId, l.outcome() == Result.Locked.GRANTED, l.generation()));
            } else if (r instanceof Result.Failed f) {
                answer(handleId, callId, Wire.error(callId, f.code(), f.message()));
            }
        });
    }

    /** Mastership lost or the server stops: every held Acquire is answered with {@code reply(callId)}. */
    public void failAll(Function<Long, Response> reply) {
        List<Pending> all;
        synchronized (this) {
            all = new ArrayList<>(pending.values());
            pending.clear();
            orphanSince.clear();
        }
        for (Pending p : all) {
            send(p.conn, reply.apply(p.callId));
        }
    }

    /** The state was replaced (snapshot install): held Acquires whose wait is gone are answered. */
    public void reloaded() {
        List<Long> handles;
        synchronized (this) {
            handles = new ArrayList<>(pending.keySet());
        }
        for (long id : handles) {
            Result.Locked state = machine.read(s -> {
                HandleRecord h = s.handle(id);
                if (h == null) {
                    return null;
                }
                try {
                    LockRecord r = s.locks().lockOf(h);
                    return r.holder(id) != null ? new Result.Locked(Result.Locked.GRANTED, s.nodeOf(h).lockGeneration())
                            : r.waiter(id) != null ? new Result.Locked(Result.Locked.WAITING, 0) : null;
                } catch (io.chubby.api.ChubbyException e) {
                    return null;
                }
            });
            if (state == null) {
                answer(id, -1, Wire.error(0, ErrorCode.CANCELLED, "the wait ended while the state was reloaded"));
            } else if (state.outcome() == Result.Locked.GRANTED) {
                answer(id, -1, acquired(0, true, state.generation()));
            }
        }
    }

    public synchronized int heldCount() {
        return pending.size();
    }

    private static void send(ClientConnection conn, Response r) {
        if (conn.isOpen()) {
            conn.send(r.toByteArray());
        }
    }
}
