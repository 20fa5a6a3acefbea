package io.chubby.cell.internal;

import io.chubby.api.ErrorCode;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Session leases and held KeepAlives: the master's memory, never logged (Chubby paper 2.8). The
 * master holds each KeepAlive until {@code margin} before the lease would end, then extends the
 * lease and answers; a session whose lease passes with no KeepAlive held is expired through
 * {@code expire} (which proposes EndSession). Replies return early when the session has queued
 * events: that is the event channel later issues deliver on.
 *
 * <p>Threads: request threads, the apply thread and the timer call in; every method holds this
 * object's monitor. Expiry callbacks run after the monitor is released.
 */
final class SessionLeases {
    private static final class Lease {
        long end;
        ClientConnection heldConnection;
        long heldCallId;
        boolean ending;
        long nextEventSeq = 1;
        final ArrayDeque<EventMessage> events = new ArrayDeque<>();
    }

    private final Map<Long, Lease> leases = new HashMap<>();
    private final CellSettings settings;
    private final Clock clock;
    private final LongSupplier epoch;
    private final LongConsumer expire;

    SessionLeases(CellSettings settings, Clock clock, LongSupplier epoch, LongConsumer expire) {
        this.settings = settings;
        this.clock = clock;
        this.epoch = epoch;
        this.expire = expire;
    }

    /** A session just created: a lease of the normal length from now. */
    synchronized void grant(long sessionId) {
        leases.computeIfAbsent(sessionId, k -> new Lease()).end = clock.millis() + settings.leaseMillis();
    }

    /**
     * Takeover by a new master: every recorded session gets the longest lease an earlier master
     * could have granted, counted from now; leases of sessions no longer recorded are dropped.
     */
    synchronized void takeOver(Collection<Long> sessionIds) {
        leases.keySet().retainAll(Set.copyOf(sessionIds));
        long end = clock.millis() + settings.maxLeaseMillis();
        for (long id : sessionIds) {
            Lease l = leases.computeIfAbsent(id, k -> new Lease());
            l.end = Math.max(l.end, end);
            l.ending = false;
        }
    }

    /** Keeps only these sessions (after a snapshot install or reload). */
    synchronized void retain(Collection<Long> sessionIds) {
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
    synchronized void remove(long sessionId, String reason) {
        Lease l = leases.remove(sessionId);
        if (l != null) {
            failHeld(l, ErrorCode.SESSION_EXPIRED, "session " + sessionId + " ended: " + reason);
        }
    }

    /** False once the lease ran out or an explicit close is in progress. */
    synchronized boolean isLive(long sessionId) {
        Lease l = leases.get(sessionId);
        return l != null && !l.ending;
    }

    /** Marks the session as ending so no further calls are accepted while EndSession commits. */
    synchronized void markEnding(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.ending = true;
        }
    }

    /** A KeepAlive arrived: drop acknowledged events, then hold it (or answer at once if due). */
    synchronized boolean keepAlive(ClientConnection conn, long callId, long sessionId, long ackedEventSeq) {
        Lease l = leases.get(sessionId);
        if (l == null || l.ending) {
            return false;
        }
        while (!l.events.isEmpty() && l.events.peekFirst().getSeq() <= ackedEventSeq) {
            l.events.pollFirst();
        }
        if (l.heldConnection != null) {
            // A newer KeepAlive supersedes the held one: answer the old without extending.
            reply(l, clock.millis(), false);
        }
        l.heldConnection = conn;
        l.heldCallId = callId;
        long now = clock.millis();
        if (!l.events.isEmpty() || now >= l.end - settings.keepAliveMarginMillis()) {
            reply(l, now, true);
        }
        return true;
    }

    /** Queues an event for a session; a held KeepAlive returns early to carry it. */
    synchronized void queueEvent(long sessionId, EventMessage.Builder event) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.events.addLast(event.setSeq(l.nextEventSeq++).build());
            if (l.heldConnection != null) {
                reply(l, clock.millis(), true);
            }
        }
    }

    /** Timer step on the master: answer KeepAlives that are due, expire leases that passed. */
    void tick() {
        List<Long> expired = new ArrayList<>();
        synchronized (this) {
            long now = clock.millis();
            for (Map.Entry<Long, Lease> e : leases.entrySet()) {
                Lease l = e.getValue();
                if (l.heldConnection != null) {
                    if (now >= l.end - settings.keepAliveMarginMillis()) {
                        reply(l, now, true);
                    }
                } else if (!l.ending && now >= l.end) {
                    l.ending = true;
                    expired.add(e.getKey());
                }
            }
        }
        expired.sort(null);
        for (long id : expired) {
            expire.accept(id);
        }
    }

    /**
     * Mastership lost: the held KeepAlives are returned for the caller to fail (NOT_MASTER with the
     * master's location) outside this monitor, so clients look for the new master.
     */
    synchronized List<Held> takeAllHeld() {
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
    record Held(ClientConnection connection, long callId) {
    }

    /** An EndSession for an expired lease could not be committed (e.g. lost mastership): retry later. */
    synchronized void expiryFailed(long sessionId) {
        Lease l = leases.get(sessionId);
        if (l != null) {
            l.ending = false;
        }
    }

    synchronized int heldCount() {
        int n = 0;
        for (Lease l : leases.values()) {
            n += l.heldConnection != null ? 1 : 0;
        }
        return n;
    }

    private void reply(Lease l, long now, boolean extend) {
        if (extend) {
            l.end = Math.max(l.end, now + settings.leaseMillis());
        }
        KeepAliveReply.Builder b = KeepAliveReply.newBuilder().setLeaseMs(Math.max(0, l.end - now))
                .setEpoch(epoch.getAsLong()).addAllEvents(l.events);
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
