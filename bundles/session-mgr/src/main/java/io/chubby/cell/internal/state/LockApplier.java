package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;

/**
 * The semantics of the lock commands (SPEC section 5) on a {@link CellState}, plus the lock side
 * of closing a handle. Rules:
 * <ul>
 * <li>Compatible: any number of SHARED holders, or one EXCLUSIVE holder.</li>
 * <li>FIFO-fair: a request is granted at once only if nobody waits; otherwise it queues, and the
 * queue is served from the front (a run of SHARED waiters together), so a SHARED request behind a
 * waiting EXCLUSIVE one waits: no writer starvation.</li>
 * <li>The node's lock generation bumps on every free-to-held transition.</li>
 * <li>Lock-delay: a holder whose session EXPIRES leaves the lock unavailable to anyone until
 * expiry time + its handle's lock-delay; nothing is granted before then. Release, Close and a
 * client's CloseSession free it at once. A command that carries no time treats a pending delay as
 * still in force (LockDelayExpired lifts it).</li>
 * </ul>
 * Used for one apply only, on the apply thread.
 */
final class LockApplier {
    /** "Time unknown": the command carries no time, so every pending lock-delay is still in force. */
    static final long NO_TIME = Long.MIN_VALUE;

    private final CellState s;
    private final LockTable t;

    LockApplier(CellState state) {
        this.s = state;
        this.t = state.locks();
    }

    Result acquire(Command.Acquire a) {
        HandleRecord h = handle(a.sessionId(), a.handleId());
        requireMode(a.mode());
        if (!Modes.canWrite(h.modeBits())) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED,
                    "handle %d on %s was not opened for writing: locking needs WRITE", h.handleId(),
                    s.pathOf(h.path()));
        }
        byte[] key = s.pathOf(h.path()).storageKey();
        Node n = s.nodeOf(h);
        LockRecord r = liftDelay(key, t.get(key, n.instance()), a.nowMillis());
        LockRecord.Party held = r.holder(h.handleId());
        LockRecord.Party waiting = r.waiter(h.handleId());
        LockRecord.Party existing = held != null ? held : waiting;
        if (existing != null) {
            // Idempotent for a client re-sending its Acquire (e.g. to a new master after failover).
            if (existing.mode() != a.mode()) {
                throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "handle %d already %s the lock on %s in "
                        + "mode %s; release it first", h.handleId(), held != null ? "holds" : "waits for",
                        s.pathOf(h.path()), LockRecord.modeName(existing.mode()));
            }
            return new Result.Locked(held != null ? Result.Locked.GRANTED : Result.Locked.WAITING,
                    s.nodeOf(h).lockGeneration());
        }
        LockRecord.Party me = new LockRecord.Party(h.handleId(), h.sessionId(), a.mode());
        if (r.waiters().isEmpty() && grantable(r, a.mode(), a.nowMillis())) {
            long generation = grant(key, r, me);
            return new Result.Locked(Result.Locked.GRANTED, generation);
        }
        if (a.tryOnly()) {
            return new Result.Locked(Result.Locked.BUSY, n.lockGeneration());
        }
        t.put(key, r.withWaiters(LockRecord.with(r.waiters(), me)));
        t.notice(new LockNotice.Conflict(s.pathOf(h.path()).toString(), n.lockGeneration(), r.holders(),
                a.mode()));
        return new Result.Locked(Result.Locked.WAITING, n.lockGeneration());
    }

    /** Releases the handle's lock, or (while it waits) cancels its wait. Releasing nothing succeeds. */
    Result release(Command.Release rel) {
        HandleRecord h = handle(rel.sessionId(), rel.handleId());
        byte[] key = s.pathOf(h.path()).storageKey();
        Node n = s.nodeOf(h);
        drop(key, t.get(key, n.instance()), h, rel.nowMillis(), 0, ErrorCode.CANCELLED,
                "released while waiting");
        return new Result.Done();
    }

    /** A blocking Acquire timed out (or was orphaned): drop the wait unless it was granted already. */
    Result cancelWait(Command.CancelWait c) {
        HandleRecord h = handle(c.sessionId(), c.handleId());
        byte[] key = s.pathOf(h.path()).storageKey();
        Node n = s.nodeOf(h);
        LockRecord r = liftDelay(key, t.get(key, n.instance()), c.nowMillis());
        if (r.holder(h.handleId()) != null) {
            return new Result.Locked(Result.Locked.GRANTED, n.lockGeneration());
        }
        if (r.waiter(h.handleId()) != null) {
            t.put(key, r.withWaiters(LockRecord.without(r.waiters(), h.handleId())));
            serve(key, c.nowMillis());
        }
        return new Result.Locked(Result.Locked.CANCELLED, n.lockGeneration());
    }

    /** The lock-delay of a node has passed: let its waiters in. A no-op when it has not (yet). */
    Result delayExpired(Command.LockDelayExpired d) {
        NodePath path = NodePath.parse(d.path()).inCell(s.cell());
        byte[] key = path.storageKey();
        Node n = s.nodes.get(key);
        if (n != null) {
            liftDelay(key, t.get(key, n.instance()), d.nowMillis());
        }
        return new Result.Done();
    }

    /**
     * Fences the handle with a sequencer that is valid now (else STALE_SEQUENCER, or INVALID_ARGUMENT if
     * forged or if the lock lives in another partition than the handle's node).
     */
    Result setSequencer(Command.SetSequencer c) {
        HandleRecord h = handle(c.sessionId(), c.handleId());
        Sequencer q = Sequencer.decode(c.sequencer(), s.secret);
        t.refuseForeignFence(q, h);
        String why = t.problem(q);
        if (why != null) {
            throw ChubbyException.of(ErrorCode.STALE_SEQUENCER, "sequencer %s is not valid: %s", q, why);
        }
        t.putSequencer(h.handleId(), q);
        return new Result.Done();
    }

    /**
     * The handle is being closed (Close, or its session ending): its lock is released and its wait
     * dropped; with {@code expiredAt} != NO_TIME (session expired at that time) a lock it held stays
     * unavailable until expiredAt + the handle's lock-delay.
     */
    void handleClosed(HandleRecord h, long expiredAt, ErrorCode waitCode, String why) {
        t.putSequencer(h.handleId(), null);
        byte[] key = s.pathOf(h.path()).storageKey();
        Node n = s.nodes.get(key);
        if (n == null || n.instance() != h.instance()) {
            return;
        }
        long delayUntil = expiredAt == NO_TIME || h.lockDelayMillis() <= 0 ? 0 : expiredAt + h.lockDelayMillis();
        drop(key, t.get(key, n.instance()), h, expiredAt == NO_TIME ? NO_TIME : expiredAt, delayUntil, waitCode,
                why);
    }

    private void drop(byte[] key, LockRecord r, HandleRecord h, long now, long delayUntil, ErrorCode waitCode,
                      String why) {
        if (r.holder(h.handleId()) != null) {
            r = r.withHolders(LockRecord.without(r.holders(), h.handleId()));
            if (delayUntil > r.delayUntilMillis()) {
                r = r.withDelayUntil(delayUntil);
            }
        } else if (r.waiter(h.handleId()) != null) {
            r = r.withWaiters(LockRecord.without(r.waiters(), h.handleId()));
            t.notice(new LockNotice.WaitEnded(h.sessionId(), h.handleId(), waitCode, why));
        } else {
            return;
        }
        t.put(key, r);
        serve(key, now);
    }

    /** Clears a lock-delay that has passed at {@code now}, then serves waiters; returns the current record. */
    private LockRecord liftDelay(byte[] key, LockRecord r, long now) {
        if (r.delayUntilMillis() != 0 && now != NO_TIME && now >= r.delayUntilMillis()) {
            t.put(key, r.withDelayUntil(0));
            serve(key, now);
            return t.get(key, r.instance());
        }
        return r;
    }

    /** Grants the lock to waiters from the front of the queue while they are compatible. */
    private void serve(byte[] key, long now) {
        Node n = s.nodes.get(key);
        LockRecord r = t.get(key, n.instance());
        while (!r.waiters().isEmpty() && grantable(r, r.waiters().get(0).mode(), now)) {
            LockRecord.Party w = r.waiters().get(0);
            r = r.withWaiters(r.waiters().subList(1, r.waiters().size()));
            long generation = grant(key, r, w);
            t.notice(new LockNotice.Granted(w.sessionId(), w.handleId(), t.pathOfKey(key), w.mode(), generation));
            r = t.get(key, n.instance());
        }
    }

    private static boolean grantable(LockRecord r, int mode, long now) {
        if (r.delayUntilMillis() != 0 && (now == NO_TIME || now < r.delayUntilMillis())
                && !PlantedBugs.grantDuringLockDelay) {
            return false;
        }
        return r.holders().isEmpty() || (mode == LockRecord.SHARED && r.heldMode() == LockRecord.SHARED);
    }

    /** Adds the holder (r must not contain it); a free lock gets a new generation. Returns the generation. */
    private long grant(byte[] key, LockRecord r, LockRecord.Party p) {
        Node n = s.nodes.get(key);
        if (r.holders().isEmpty()) {
            n = n.withNextLockGeneration();
            s.putNode(key, n);
            t.notice(new LockNotice.Acquired(t.pathOfKey(key), n.instance(), n.lockGeneration()));
        }
        t.put(key, r.withHolders(LockRecord.with(r.holders(), p)));
        return n.lockGeneration();
    }

    private HandleRecord handle(long sessionId, long handleId) {
        if (!s.sessions.containsKey(sessionId)) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d does not exist or has ended", sessionId);
        }
        HandleRecord h = s.handles.get(handleId);
        if (h == null || h.sessionId() != sessionId) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d is not open in session %d", handleId,
                    sessionId);
        }
        s.nodeOf(h);
        t.checkFence(h);
        return h;
    }

    private static void requireMode(int mode) {
        if (mode != LockRecord.EXCLUSIVE && mode != LockRecord.SHARED) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "unknown lock mode %d", mode);
        }
    }
}
