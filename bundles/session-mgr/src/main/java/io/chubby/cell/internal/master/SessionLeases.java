package io.chubby.cell.internal.master;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
 * A reply that did not extend the lease leaves it unheld until the holder calls again, possibly
 * after the lease end: such a lease is not ended for want of a KeepAlive until the margin after
 * that reply has passed too ({@code recallUntil}). Its claims are dropped at the lease end all the
 * same (a write waits for a holder at most its lease), and the late call gets CACHE_DROPPED.
 *
 * <p>Failover (SPEC 8): {@link #takeOver} extends every lease to the longest an earlier master may
 * have granted and queues a MASTER_FAILED_OVER event for each session; since the new master does
 * not know the lease each client believes in, that event makes the first KeepAlive return at once
 * (a held one would outlive the client's local lease and grace period). A session that does not
 * acknowledge it loses its claims once the takeover settled and the lease ceiling has passed
 * ({@link #failoverClaimsEnd}), sooner than its lease end: no reply promises more than the
 * ceiling, so its client's cache is unusable by then.
 *
 * <p>Event sequence numbers start at {@code epoch << 24} per master, so they grow across
 * failovers and a client's acknowledgement of an older master's events never drops new ones.
 *
 * <p>Group KeepAlives (issue 17): a proxy renews many sessions with one held call; each member is
 * treated as its own KeepAlive would be, and the group is answered whole when any member is due or
 * has news, so the master's KeepAlive work grows with the number of proxies, not of their clients.
 * The held group calls are kept by a {@link GroupLeases} this object owns; one {@link Lease} per
 * session holds what the master remembers of it.
 *
 * <p>Threads: request threads, the apply thread and the timer call in; every method holds this
 * object's monitor, and the {@link GroupLeases} and {@link Lease}s are only touched under it (one
 * lock for every lease and held call). {@link Hooks} are called after the monitor is released.
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

    private final Map<Long, Lease> leases = new HashMap<>();
    /** Events and cache invalidations queued to a session's KeepAlive (each once, however often resent). */
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong invalidationsSent = new AtomicLong();
    /** The group KeepAlives held, under this monitor too. */
    private final GroupLeases groups;
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
        this.groups = new GroupLeases(this, leases, settings, policy, epoch);
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
     * The CreateSession answer for the session goes out on {@code conn}: it is the reply that told
     * its client the lease. A proxy's group call naming the session then need not be answered at
     * once as for a member new to the connection (it was, twice per wave of creations).
     */
    public synchronized void createdOver(long sessionId, ClientConnection conn) {
        Lease l = leases.get(sessionId);
        if (l != null && l.lastReplyConnection == null) {
            l.lastReplyConnection = conn;
        }
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
            l.closing = false;
            l.lastActivity = now;
            l.events.clear();
            l.invalidations.clear();
            l.nextEventSeq = Math.max(l.nextEventSeq, seqBase());
            l.failoverPending = true;
            l.failoverClaimsEnd = Long.MAX_VALUE; // set when the takeover settles (failoverClaimsEnd)
            l.failoverSeq = l.nextEventSeq;
            l.cacheDropSeq = 0;
            l.recallUntil = 0;
            l.lastReplyConnection = null;
            l.unsent = true;
            l.events.addLast(EventMessage.newBuilder().setKind(EventKind.MASTER_FAILED_OVER)
                    .setGeneration(epoch.getAsLong()).setSeq(l.nextEventSeq++).build());
        }
    }

    /**
     * The takeover settled (every entry of earlier masters applied, so the lease ceiling read now
     * bounds every lease they promised): a session that has not acknowledged the failover event by
     * {@code claimsEnd} loses its claims then (CACHE_DROPPED; writes stop waiting for it), while
     * its session lives on to its lease end.
     */
    public synchronized void failoverClaimsEnd(long claimsEnd) {
        for (Lease l : leases.values()) {
            if (l.failoverPending) {
                l.failoverClaimsEnd = claimsEnd;
            }
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
                it.remove();
                failHeld(e.getValue(), ErrorCode.SESSION_EXPIRED, "session " + e.getKey() + " has ended");
            }
        }
    }

    /**
     * The session ended (EndSession applied): a held KeepAlive is answered SESSION_EXPIRED. A group
     * holding a session its client closed only lets go of it, as for a newer KeepAlive: the client
     * knows, and answering the whole group would make its proxy call again at once, once per
     * session closed behind it (its next answer gives the session a SESSION_EXPIRED slot).
     */
    public synchronized void remove(long sessionId, String reason) {
        Lease l = leases.remove(sessionId);
        if (l == null) {
            return;
        }
        if (l.closing && l.group != null) {
            groups.release(l, clock.millis());
            return;
        }
        failHeld(l, ErrorCode.SESSION_EXPIRED, "session " + sessionId + " ended: " + reason);
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

    /** As {@link #markEnding}, for a session its client asked to close (CloseSession). */
    public synchronized void markClosing(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.ending = true;
            l.closing = true;
        }
    }

    /**
     * A KeepAlive arrived: drop acknowledged events and invalidations, then hold it (or answer at
     * once if due or if something is queued). False if the session is not live.
     */
    public boolean keepAlive(ClientConnection conn, long callId, long sessionId, KeepAliveRequest ka) {
        policy.keepAliveReceived();
        LeaseAcks acked;
        synchronized (this) {
            Lease l = leases.get(sessionId);
            if (l == null || l.ending) {
                return false;
            }
            acked = LeaseAcks.apply(sessionId, l, ka);
            long now = clock.millis();
            boolean superseded = supersede(l, now);
            l.heldConnection = conn;
            l.heldCallId = callId;
            if (l.owes() && now >= l.claimsEnd()) {
                acked.dropped = l.dropClaims(epoch.getAsLong()); // arrived after the claims' end still owing: as at the timer's tick
            }
            if (answerAtOnce(l, conn, superseded, now)) {
                reply(l, now, true);
            }
        }
        acked.report(hooks);
        return true;
    }

    /**
     * A group KeepAlive arrived (issue 17): one held call for the sessions of {@code members}, each
     * treated as its own KeepAlive would be (acknowledgements applied, superseding what held it),
     * the whole group answered at once when any member is due or has something new. Members whose
     * session is not live get SESSION_EXPIRED in their slot; {@code refused} (slots the caller
     * already decided, e.g. another principal's sessions) go into the reply as they are.
     */
    public void groupKeepAlive(ClientConnection conn, long callId, long groupId, List<GroupMember> members,
                               List<GroupMemberReply> refused) {
        policy.keepAliveReceived();
        List<LeaseAcks> acks;
        synchronized (this) {
            acks = groups.keepAlive(conn, callId, groupId, members, refused, clock.millis());
        }
        for (LeaseAcks a : acks) {
            a.report(hooks);
        }
    }

    /**
     * A newer KeepAlive for the session: its own held KeepAlive is answered at once, not extended. A
     * group holding it only lets go (its answer will leave the session out; a group left holding no
     * one is answered): answering a whole group early would make its proxy call again at once, and
     * two holders of one session (a client that moved while its old proxy still held its KeepAlive)
     * would then take it from each other as fast as the network allows. (Also called by
     * {@link GroupLeases} for a group's members, under this monitor.)
     */
    boolean supersede(Lease l, long now) {
        if (l.heldConnection != null) {
            reply(l, now, false);
            return true;
        }
        if (l.group != null) {
            groups.release(l, now);
            return true;
        }
        return false;
    }

    /**
     * Outstanding events and invalidations go out at once when new, when the client may not have
     * read the last reply (it came on another connection, or answered a KeepAlive the client has
     * given up on and superseded), or when due; not to a client that read them and sent its next
     * KeepAlive without acknowledging them. (Also called by {@link GroupLeases}, under this monitor.)
     */
    boolean answerAtOnce(Lease l, ClientConnection conn, boolean superseded, long now) {
        boolean pending = !l.events.isEmpty() || !l.invalidations.isEmpty();
        return (pending && (l.unsent || superseded || conn != l.lastReplyConnection)) || due(l, now);
    }

    /** Queues an event for a session; a held KeepAlive returns early to carry it. */
    public synchronized void queueEvent(long sessionId, EventMessage.Builder event) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.events.addLast(event.setSeq(l.nextEventSeq++).build());
            eventsSent.incrementAndGet();
            l.unsent = true;
            if (l.held()) {
                reply(l, clock.millis(), true);
            }
        }
    }

    /** Events given to sessions to carry on their KeepAlives since the component started (each counted once). */
    public long eventsSent() {
        return eventsSent.get();
    }

    /** Cache invalidations given to sessions to carry on their KeepAlives (each counted once). */
    public long invalidationsSent() {
        return invalidationsSent.get();
    }

    /** Queues a cache invalidation; a held KeepAlive returns early to carry it. False if no such session. */
    public synchronized boolean queueInvalidation(long sessionId, Invalidation inv) {
        Lease l = leases.get(sessionId);
        if (l == null) {
            return false;
        }
        l.invalidations.put(inv.getId(), inv);
        invalidationsSent.incrementAndGet();
        l.unsent = true;
        if (l.held()) {
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
            // Groups are answered after the pass: one member's answer answers every member, and the
            // pass must still see the others as held (not as leases with no KeepAlive).
            Set<GroupLeases.HeldGroup> answer = new LinkedHashSet<>();
            for (Map.Entry<Long, Lease> e : leases.entrySet()) {
                Lease l = e.getValue();
                if (l.held()) {
                    boolean drop = l.owes() && now >= l.claimsEnd() && !l.ending;
                    if (drop) {
                        dropped.put(e.getKey(), l.dropClaims(epoch.getAsLong()));
                    }
                    if (drop || due(l, now)) {
                        if (l.group != null) {
                            answer.add(l.group);
                        } else {
                            reply(l, now, true);
                        }
                    }
                } else if (!l.ending && now >= l.end) {
                    if (now >= l.recallUntil) {
                        l.ending = true;
                        expired.add(e.getKey());
                    } else if (l.owes()) {
                        // Waiting for its holder's next call: the claims go at the lease end all the
                        // same, so no write waits for a holder longer than its lease.
                        dropped.put(e.getKey(), l.dropClaims(epoch.getAsLong()));
                    }
                } else if (!l.ending && l.owes() && now >= l.claimsEnd()) {
                    // The failover event unacknowledged by the lease ceiling: the claims go, the session stays.
                    dropped.put(e.getKey(), l.dropClaims(epoch.getAsLong()));
                }
                if (!l.ending && settings.idleMillis() > 0 && now - l.lastActivity >= settings.idleMillis()) {
                    l.lastActivity = now; // checked again one idle period later if it has handles
                    idle.add(e.getKey());
                }
            }
            for (GroupLeases.HeldGroup g : answer) {
                groups.reply(g, now, true);
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
        return !l.owes() && now >= Math.min(l.end, l.clientEnd) - margin(l);
    }

    /** How long before the lease end a held KeepAlive is answered (a group's members: {@link GroupLeases#margin}). */
    private long margin(Lease l) {
        return l.group != null ? groups.margin() : settings.keepAliveMarginMillis();
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
            l.group = null;
            l.ending = false;
            l.closing = false;
        }
        groups.takeAll(out);
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
            l.closing = false;
        }
    }

    public synchronized int heldCount() {
        int n = 0;
        for (Lease l : leases.values()) {
            n += l.heldConnection != null ? 1 : 0;
        }
        return n + groups.heldCount();
    }

    public synchronized int sessionCount() {
        return leases.size();
    }

    /** Answers the call holding the lease (its own KeepAlive, or its group's). */
    private void reply(Lease l, long now, boolean extend) {
        if (l.group != null) {
            groups.reply(l.group, now, extend);
            return;
        }
        KeepAliveReply r = l.reply(now, extend, l.heldConnection, settings.keepAliveMarginMillis(),
                policy.leaseMillis(), epoch.getAsLong());
        l.sendHeld(Response.newBuilder().setCallId(l.heldCallId).setKeepAlive(r).build());
    }

    /** A member's slot carrying an error. */
    public static GroupMemberReply memberError(long sessionId, ErrorCode code, String message) {
        return GroupMemberReply.newBuilder().setSessionId(sessionId).setError(io.chubby.protocol.Error.newBuilder()
                .setCode(code.wire()).setMessage(message)).build();
    }

    private void failHeld(Lease l, ErrorCode code, String message) {
        if (l.heldConnection != null) {
            l.sendHeld(Wire.error(l.heldCallId, code, message));
        } else if (l.group != null) {
            groups.reply(l.group, clock.millis(), false); // the ended member's slot says SESSION_EXPIRED
        }
    }
}
