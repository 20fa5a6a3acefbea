package io.chubby.cell.internal.master;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.state.PlantedBugs;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Session leases and held KeepAlives: the master's memory, never logged (Chubby paper 2.8). The
 * master holds each KeepAlive until {@code margin} before the lease would end (the earlier of its
 * own lease and the lease it last told the client), then extends the lease by the
 * {@link LeasePolicy}'s length and answers. Replies return early to carry queued events and cache
 * invalidations, which are resent on every reply until acknowledged.
 *
 * <p>Acknowledgements owed (issue 25): while a session owes one (an invalidation it was sent, or
 * the flush after this master's failover event) its lease is not extended, so every reply promises
 * at most the lease end it had when the invalidation was issued. A held KeepAlive is then answered
 * when something new is queued, or at that lease end: if the session still owes an acknowledgement
 * then, it loses its claim on every file ({@link Hooks#cacheDropped}: writes stop waiting for it),
 * is sent a CACHE_DROPPED event, and its lease goes on as usual. Its session is not ended. A
 * KeepAlive that comes on the connection that carried the last reply, with nothing queued since,
 * is held like any other: a client that received invalidations acknowledges them on its next
 * KeepAlive, and one that does not must not make the master answer (and resend) at once, over and
 * over. On another connection (the reply may have been lost with the old one), or superseding a
 * held KeepAlive (whose reply the client may ignore), what is outstanding is sent again at once.
 *
 * <p>Failover (SPEC 8): {@link #takeOver} extends every lease to the longest an earlier master may
 * have granted and queues a MASTER_FAILED_OVER event for each session; since the new master does
 * not know the lease each client believes in, that event makes the first KeepAlive return at once
 * (a held one would outlive the client's local lease and grace period).
 *
 * <p>Event sequence numbers start at {@code epoch << 24} per master, so they grow across
 * failovers and a client's acknowledgement of an older master's events never drops new ones.
 *
 * <p>Threads: request threads, the apply thread and the timer call in; every method holds this
 * object's monitor. {@link Hooks} are called after the monitor is released.
 */
public final class SessionLeases {
    /** What the leases ask of the rest of the master (called outside the monitor). */
    public interface Hooks {
        /** The lease passed with no KeepAlive held: end the session. */
        void expire(long sessionId);

        /** No call for the idle time: end the session if it has no handles. */
        default void idle(long sessionId) {
        }

        /** The client applied these invalidations. */
        default void invalidationsAcked(long sessionId, List<Long> ids) {
        }

        /** The client flushed its cache after the failover event. */
        default void failoverAcked(long sessionId) {
        }

        /**
         * The session owed an acknowledgement at the lease end it had when it was sent: it no longer
         * caches anything as far as the master is concerned (it was sent CACHE_DROPPED, sequence
         * number {@code seq}).
         */
        default void cacheDropped(long sessionId, long seq) {
        }

        /**
         * The client flushed its cache after the CACHE_DROPPED event {@code seq}: it may cache again.
         * (Hooks run outside the monitor, so this may overtake the {@link #cacheDropped} call.)
         */
        default void cacheDropAcked(long sessionId, long seq) {
        }
    }

    private static final class Lease {
        long end;
        long clientEnd;          // the end of the lease the client was last told; 0 = unknown
        ClientConnection heldConnection;
        long heldCallId;
        boolean ending;
        boolean failoverPending;
        /** Sequence number of this mastership's MASTER_FAILED_OVER event to the session. */
        long failoverSeq;
        long lastActivity;
        long nextEventSeq = 1;
        /** Sequence number of the CACHE_DROPPED event not yet acknowledged; 0 = none. */
        long cacheDropSeq;
        /** The connection the last reply went out on (null: none since this master took over). */
        ClientConnection lastReplyConnection;
        /** Events or invalidations were queued since the last reply. */
        boolean unsent;
        final ArrayDeque<EventMessage> events = new ArrayDeque<>();
        final Map<Long, Invalidation> invalidations = new LinkedHashMap<>();
    }

    private final Map<Long, Lease> leases = new HashMap<>();
    private final CellSettings settings;
    private final LeasePolicy policy;
    private final Clock clock;
    private final LongSupplier epoch;
    private final Hooks hooks;

    public SessionLeases(CellSettings settings, LeasePolicy policy, Clock clock, LongSupplier epoch, Hooks hooks) {
        this.settings = settings;
        this.policy = policy;
        this.clock = clock;
        this.epoch = epoch;
        this.hooks = hooks;
    }

    /** A session just created: a lease of the policy's length from now. */
    public synchronized void grant(long sessionId) {
        long now = clock.millis();
        Lease l = leases.computeIfAbsent(sessionId, k -> new Lease());
        l.end = now + policy.leaseMillis();
        l.clientEnd = l.end;
        l.lastActivity = now;
        l.nextEventSeq = Math.max(l.nextEventSeq, seqBase());
    }

    /**
     * Takeover by a new master: every recorded session gets the longest lease an earlier master
     * could have granted, counted from now, and a MASTER_FAILED_OVER event; leases of sessions no
     * longer recorded are dropped.
     */
    public synchronized void takeOver(Collection<Long> sessionIds) {
        leases.keySet().retainAll(Set.copyOf(sessionIds));
        long now = clock.millis();
        long end = now + settings.maxLeaseMillis();
        for (long id : sessionIds) {
            Lease l = leases.computeIfAbsent(id, k -> new Lease());
            l.end = Math.max(l.end, end);
            l.clientEnd = 0;
            l.ending = false;
            l.lastActivity = now;
            l.events.clear();
            l.invalidations.clear();
            l.nextEventSeq = Math.max(l.nextEventSeq, seqBase());
            l.failoverPending = true;
            l.failoverSeq = l.nextEventSeq;
            l.cacheDropSeq = 0;
            l.lastReplyConnection = null;
            l.unsent = true;
            l.events.addLast(EventMessage.newBuilder().setKind(EventKind.MASTER_FAILED_OVER)
                    .setGeneration(epoch.getAsLong()).setSeq(l.nextEventSeq++).build());
        }
    }

    private long seqBase() {
        long e = epoch.getAsLong();
        return e > 0 && e < (1L << 38) ? (e << 24) + 1 : 1;
    }

    /** Keeps only these sessions (after a snapshot install or reload). */
    public synchronized void retain(Collection<Long> sessionIds) {
        Set<Long> keep = Set.copyOf(sessionIds);
        for (Iterator<Map.Entry<Long, Lease>> it = leases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Lease> e = it.next();
            if (!keep.contains(e.getKey())) {
                failHeld(e.getValue(), ErrorCode.SESSION_EXPIRED, "session " + e.getKey() + " has ended");
                it.remove();
            }
        }
    }

    /** The session ended (EndSession applied): a held KeepAlive is answered SESSION_EXPIRED. */
    public synchronized void remove(long sessionId, String reason) {
        Lease l = leases.remove(sessionId);
        if (l != null) {
            failHeld(l, ErrorCode.SESSION_EXPIRED, "session " + sessionId + " ended: " + reason);
        }
    }

    /** False once the lease ran out or an explicit close is in progress. */
    public synchronized boolean isLive(long sessionId) {
        Lease l = leases.get(sessionId);
        return l != null && !l.ending;
    }

    /** A call other than KeepAlive was made in the session (for idle detection). */
    public synchronized void touch(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.lastActivity = clock.millis();
        }
    }

    /** Whether the session still has to acknowledge the failover event of this master. */
    public synchronized boolean failoverPending(long sessionId) {
        Lease l = leases.get(sessionId);
        return l != null && l.failoverPending;
    }

    /** Marks the session as ending so no further calls are accepted while EndSession commits. */
    public synchronized void markEnding(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.ending = true;
        }
    }

    /**
     * A KeepAlive arrived: drop acknowledged events and invalidations, then hold it (or answer at
     * once if due or if something is queued). False if the session is not live.
     */
    public boolean keepAlive(ClientConnection conn, long callId, long sessionId, KeepAliveRequest ka) {
        policy.keepAliveReceived();
        List<Long> acked = new ArrayList<>();
        boolean failoverAcked = false;
        long dropAcked = 0;
        long dropped = 0;
        synchronized (this) {
            Lease l = leases.get(sessionId);
            if (l == null || l.ending) {
                return false;
            }
            while (!l.events.isEmpty() && l.events.peekFirst().getSeq() <= ka.getAckedEventSeq()) {
                l.events.pollFirst();
            }
            for (long id : ka.getAckedInvalidationsList()) {
                if (l.invalidations.remove(id) != null) {
                    acked.add(id);
                }
            }
            // The flag alone cannot say which failover it acknowledges (a client may still carry it
            // for an earlier master's event): it counts only with the event's sequence number acked
            // too. Found by the whole-cell simulation (seed 711: a write went ahead on a stale ack).
            if (ka.getAckedFailover() && l.failoverPending && ka.getAckedEventSeq() >= l.failoverSeq) {
                l.failoverPending = false;
                failoverAcked = true;
            }
            // The same rule for the flush after CACHE_DROPPED.
            if (ka.getAckedCacheDropped() && l.cacheDropSeq != 0 && ka.getAckedEventSeq() >= l.cacheDropSeq) {
                dropAcked = l.cacheDropSeq;
                l.cacheDropSeq = 0;
            }
            boolean superseded = l.heldConnection != null;
            if (superseded) {
                // A newer KeepAlive supersedes the held one: answer the old without extending.
                reply(l, clock.millis(), false);
            }
            l.heldConnection = conn;
            l.heldCallId = callId;
            long now = clock.millis();
            if (owes(l) && now >= l.end) {
                dropped = dropClaims(l); // arrived after the lease end still owing: as at the timer's tick
            }
            // Outstanding events and invalidations go out at once when new, when the client may not have
            // read the last reply (it came on another connection, or answered a KeepAlive the client
            // has given up on and superseded), or when due; not to a client that read them and sent
            // its next KeepAlive without acknowledging them.
            boolean pending = !l.events.isEmpty() || !l.invalidations.isEmpty();
            if ((pending && (l.unsent || superseded || conn != l.lastReplyConnection)) || due(l, now)) {
                reply(l, now, true);
            }
        }
        if (!acked.isEmpty()) {
            hooks.invalidationsAcked(sessionId, acked);
        }
        if (failoverAcked) {
            hooks.failoverAcked(sessionId);
        }
        if (dropAcked != 0) {
            hooks.cacheDropAcked(sessionId, dropAcked);
        }
        if (dropped != 0) {
            hooks.cacheDropped(sessionId, dropped);
        }
        return true;
    }

    /** Whether the session owes an acknowledgement: of an invalidation, or of this master's failover. */
    private static boolean owes(Lease l) {
        return (!l.invalidations.isEmpty() || l.failoverPending) && !PlantedBugs.holdersKeepTheirClaims;
    }

    /**
     * The lease end passed with an acknowledgement still owed: the session loses its claim on every
     * file (what it owed no longer matters: it is told to flush everything) and gets CACHE_DROPPED.
     */
    private long dropClaims(Lease l) {
        l.invalidations.clear();
        l.failoverPending = false;
        l.cacheDropSeq = l.nextEventSeq;
        l.events.addLast(EventMessage.newBuilder().setKind(EventKind.CACHE_DROPPED)
                .setGeneration(epoch.getAsLong()).setSeq(l.nextEventSeq++).build());
        l.unsent = true;
        return l.cacheDropSeq;
    }

    /** Queues an event for a session; a held KeepAlive returns early to carry it. */
    public synchronized void queueEvent(long sessionId, EventMessage.Builder event) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.events.addLast(event.setSeq(l.nextEventSeq++).build());
            l.unsent = true;
            if (l.heldConnection != null) {
                reply(l, clock.millis(), true);
            }
        }
    }

    /** Queues a cache invalidation; a held KeepAlive returns early to carry it. False if no such session. */
    public synchronized boolean queueInvalidation(long sessionId, Invalidation inv) {
        Lease l = leases.get(sessionId);
        if (l == null) {
            return false;
        }
        l.invalidations.put(inv.getId(), inv);
        l.unsent = true;
        if (l.heldConnection != null) {
            reply(l, clock.millis(), true);
        }
        return true;
    }

    /** Timer step on the master: answer KeepAlives that are due, expire leases that passed, spot idle sessions. */
    public void tick() {
        List<Long> expired = new ArrayList<>();
        List<Long> idle = new ArrayList<>();
        Map<Long, Long> dropped = new java.util.TreeMap<>();
        synchronized (this) {
            long now = clock.millis();
            for (Map.Entry<Long, Lease> e : leases.entrySet()) {
                Lease l = e.getValue();
                if (l.heldConnection != null) {
                    if (owes(l) && now >= l.end && !l.ending) {
                        dropped.put(e.getKey(), dropClaims(l));
                        reply(l, now, true);
                    } else if (due(l, now)) {
                        reply(l, now, true);
                    }
                } else if (!l.ending && now >= l.end) {
                    l.ending = true;
                    expired.add(e.getKey());
                }
                if (!l.ending && settings.idleMillis() > 0 && now - l.lastActivity >= settings.idleMillis()) {
                    l.lastActivity = now; // checked again one idle period later if it has handles
                    idle.add(e.getKey());
                }
            }
        }
        dropped.forEach(hooks::cacheDropped);
        expired.sort(null);
        for (long id : expired) {
            hooks.expire(id);
        }
        idle.sort(null);
        for (long id : idle) {
            hooks.idle(id);
        }
    }

    /**
     * Answer before the earlier of the master's lease and the lease the client believes in ends;
     * while the session owes an acknowledgement, only at that lease end (the timer drops its claims
     * then): an earlier answer could not extend the lease, and the client would ask again at once.
     */
    private boolean due(Lease l, long now) {
        return !owes(l) && now >= Math.min(l.end, l.clientEnd) - settings.keepAliveMarginMillis();
    }

    /**
     * Mastership lost: the held KeepAlives are returned for the caller to fail (NOT_MASTER with the
     * master's location) outside this monitor, so clients look for the new master.
     */
    public synchronized List<Held> takeAllHeld() {
        List<Held> out = new ArrayList<>();
        for (Lease l : leases.values()) {
            if (l.heldConnection != null) {
                out.add(new Held(l.heldConnection, l.heldCallId));
                l.heldConnection = null;
            }
            l.ending = false;
        }
        return out;
    }

    /** A KeepAlive that was held, handed back to be answered by the caller. */
    public record Held(ClientConnection connection, long callId) {
    }

    /** An EndSession for an expired lease could not be committed (e.g. lost mastership): retry later. */
    public synchronized void expiryFailed(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.ending = false;
        }
    }

    public synchronized int heldCount() {
        int n = 0;
        for (Lease l : leases.values()) {
            n += l.heldConnection != null ? 1 : 0;
        }
        return n;
    }

    public synchronized int sessionCount() {
        return leases.size();
    }

    private void reply(Lease l, long now, boolean extend) {
        if (extend && !owes(l)) {
            l.end = Math.max(l.end, now + policy.leaseMillis());
        }
        l.lastReplyConnection = l.heldConnection;
        l.unsent = false;
        long leaseMs = Math.max(0, l.end - now);
        l.clientEnd = now + leaseMs;
        KeepAliveReply.Builder b = KeepAliveReply.newBuilder().setLeaseMs(leaseMs)
                .setEpoch(epoch.getAsLong()).addAllEvents(l.events).addAllInvalidations(l.invalidations.values());
        send(l, Response.newBuilder().setCallId(l.heldCallId).setKeepAlive(b).build());
    }

    private void failHeld(Lease l, ErrorCode code, String message) {
        if (l.heldConnection != null) {
            send(l, Wire.error(l.heldCallId, code, message));
        }
    }

    private static void send(Lease l, Response r) {
        ClientConnection c = l.heldConnection;
        l.heldConnection = null;
        if (c.isOpen()) {
            c.send(r.toByteArray());
        }
    }
}
