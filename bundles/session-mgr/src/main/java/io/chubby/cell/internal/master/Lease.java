package io.chubby.cell.internal.master;

import io.chubby.cell.internal.state.PlantedBugs;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One session's lease as the master remembers it (never logged): its end, the KeepAlive holding it
 * (the session's own, or a proxy's group call), and the events and invalidations riding on its
 * replies until acknowledged. Plain state with the rules that touch one lease only; the rules
 * between leases and calls are {@link SessionLeases}' and {@link GroupLeases}'.
 *
 * <p>Threads: only touched while holding the monitor of the {@link SessionLeases} that owns it.
 */
final class Lease {
    long end;
    long clientEnd;          // the end of the lease the client was last told; 0 = unknown
    ClientConnection heldConnection;
    long heldCallId;
    /** The group KeepAlive holding this lease (issue 17), or null; never both this and heldConnection. */
    GroupLeases.HeldGroup group;
    boolean ending;
    /** Its client asked to close it (CloseSession): it knows the session ends. */
    boolean closing;
    boolean failoverPending;
    /**
     * While the failover event is unacknowledged: when the session's claims go (this master's
     * takeover plus the lease ceiling, once settled); {@code Long.MAX_VALUE} until then.
     */
    long failoverClaimsEnd = Long.MAX_VALUE;
    /** Sequence number of this mastership's MASTER_FAILED_OVER event to the session. */
    long failoverSeq;
    long lastActivity;
    long nextEventSeq = 1;
    /** Sequence number of the CACHE_DROPPED event not yet acknowledged; 0 = none. */
    long cacheDropSeq;
    /**
     * Until when the master waits for the next KeepAlive of a lease it answered without extending
     * (an acknowledgement was owed): the lease does not end before this (0 = not waiting).
     */
    long recallUntil;
    /** The connection the last reply went out on (null: none since this master took over). */
    ClientConnection lastReplyConnection;
    /** Events or invalidations were queued since the last reply. */
    boolean unsent;
    final ArrayDeque<EventMessage> events = new ArrayDeque<>();
    final Map<Long, Invalidation> invalidations = new LinkedHashMap<>();

    /** A KeepAlive holds it: the session's own or its group's. */
    boolean held() {
        return heldConnection != null || group != null;
    }

    /** Whether the session owes an acknowledgement: of an invalidation, or of this master's failover. */
    boolean owes() {
        return (!invalidations.isEmpty() || failoverPending) && !PlantedBugs.holdersKeepTheirClaims;
    }

    /**
     * When the session loses its claims if it still owes an acknowledgement: its lease end, or
     * earlier while it owes the failover (no client can use a cache past the longest lease an
     * earlier master may have promised it, counted from this master's takeover), but never before
     * the lease this master itself last promised it has run out: a client that heard the failover
     * event, flushed and read (cacheable) before its acknowledgement arrived may cache until then
     * (found in review: a read through a proxy, whose group KeepAlive carries the acknowledgement
     * later).
     */
    long claimsEnd() {
        return failoverPending ? Math.min(end, Math.max(failoverClaimsEnd, clientEnd)) : end;
    }

    /**
     * The lease end passed with an acknowledgement still owed: the session loses its claim on every
     * file (what it owed no longer matters: it is told to flush everything) and gets CACHE_DROPPED.
     * Returns that event's sequence number.
     */
    long dropClaims(long epoch) {
        invalidations.clear();
        failoverPending = false;
        cacheDropSeq = nextEventSeq;
        events.addLast(EventMessage.newBuilder().setKind(EventKind.CACHE_DROPPED)
                .setGeneration(epoch).setSeq(nextEventSeq++).build());
        unsent = true;
        return cacheDropSeq;
    }

    /**
     * The session's KeepAlive answer, sent on {@code conn}: extends the lease by {@code leaseMillis}
     * unless an acknowledgement is owed, and waits {@code recall} for the next call. The client is
     * promised at most {@code leaseMillis} (the lease ceiling's cap), even when the master keeps the
     * session longer (after a takeover every lease runs to the max lease).
     */
    KeepAliveReply reply(long now, boolean extend, ClientConnection conn, long recall, long leaseMillis, long epoch) {
        if (extend && !owes()) {
            end = Math.max(end, now + leaseMillis);
        }
        recallUntil = now + recall;
        lastReplyConnection = conn;
        unsent = false;
        long leaseMs = Math.min(Math.max(0, end - now), leaseMillis);
        clientEnd = now + leaseMs;
        return KeepAliveReply.newBuilder().setLeaseMs(leaseMs).setEpoch(epoch).addAllEvents(events)
                .addAllInvalidations(invalidations.values()).build();
    }

    /** Answers the session's own held KeepAlive with {@code r}, which lets go of it. */
    void sendHeld(Response r) {
        ClientConnection c = heldConnection;
        heldConnection = null;
        if (c.isOpen()) {
            c.send(r.toByteArray());
        }
    }
}
