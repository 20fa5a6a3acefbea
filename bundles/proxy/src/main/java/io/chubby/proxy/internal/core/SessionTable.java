package io.chubby.proxy.internal.core;

import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client sessions a proxy renews upstream with its group KeepAlive (bundles/proxy README,
 * "KeepAlive absorption", "Leases stay honest"). For each session: the client KeepAlive held here,
 * the end of the master's lease as far as the proxy may count on it, the end of the lease promised
 * to the client (never later), the events and invalidations the master sent and the client has not
 * acknowledged, and the client's acknowledgements not yet forwarded upstream.
 *
 * <p>Pure: callers pass the time and send the {@link Answer}s the methods return. Thread-safe:
 * every method holds this object's monitor.
 *
 * @param <C> the client connection type (opaque here: compared by identity)
 */
public final class SessionTable<C> {
    /** A reply to a held client KeepAlive, or (reply null) an error ending it. */
    public record Answer<C>(C connection, long callId, KeepAliveReply reply, int errorCode, String errorMessage) {
        public boolean isError() {
            return reply == null;
        }
    }

    private static final class Entry<C> {
        final long id;
        /** The proxy's own session (its cache reads): always renewed, never answered, acknowledges by itself. */
        boolean own;
        C connection;
        long heldCallId = -1;
        long upstreamEnd;
        long promisedEnd;
        long lastUpstreamSeq;
        final ArrayDeque<EventMessage> events = new ArrayDeque<>();
        final Map<Long, Invalidation> invalidations = new LinkedHashMap<>();
        /**
         * Invalidations the client acknowledged whose acknowledgement the master may not have yet, with
         * the time the acknowledgement went into a group call (0: not yet).
         */
        final Map<Long, Long> recentlyAcked = new HashMap<>();
        boolean unsent;
        C lastReplyConnection;
        long ackedSeq;
        final List<Long> ackedInvalidations = new ArrayList<>();
        boolean ackedFailover;
        boolean ackedCacheDropped;
        /** When the flags last went into a group call (0: not since they were set). */
        long flagsForwardedAt;

        Entry(long id) {
            this.id = id;
        }
    }

    /** What arrived for the proxy's own session: invalidations for the cache, and whether to flush it. */
    public record OwnNews(List<Invalidation> invalidations, boolean flush) {
    }


    private final LeaseMath lease;
    private final Map<Long, Entry<C>> sessions = new HashMap<>();
    private final List<Invalidation> ownInvalidations = new ArrayList<>();
    private boolean ownFlush;
    private boolean ownFlushFailover;
    private boolean ownFlushDropped;
    private Entry<C> own;
    private long epoch;
    /** What waits to go upstream since the last {@link #members}: how soon the next group call is due. */
    private Urgency urgency = Urgency.NONE;

    /**
     * Why the group should be sent again, least urgent first. A session created through this proxy
     * has the whole lease its CreateSession got, so naming it can wait (CREATED); one that arrived
     * from elsewhere with a KeepAlive has whatever lease its old holder left it (JOINED);
     * acknowledgements may hold up a write at the master (ACKS). A session its client closed needs
     * no call at all: the master ended it and lets go of it in the held group.
     */
    public enum Urgency { NONE, CREATED, JOINED, ACKS }

    private void raise(Urgency u) {
        if (u.compareTo(urgency) > 0) {
            urgency = u;
        }
    }

    public SessionTable(LeaseMath lease) {
        this.lease = lease;
    }

    /**
     * A session the proxy created upstream for a client: its lease counted from the CreateSession
     * call; returns the lease to tell the client (never past what the proxy may count on).
     */
    public synchronized long created(long sessionId, C connection, long leaseMillis, long sentAt, long arrivedAt,
                                     long now) {
        Entry<C> e = sessions.computeIfAbsent(sessionId, Entry::new);
        e.connection = connection;
        e.upstreamEnd = Math.max(e.upstreamEnd, lease.end(sentAt, arrivedAt, leaseMillis));
        long promise = Math.max(0, e.upstreamEnd - now);
        e.promisedEnd = now + promise;
        raise(Urgency.CREATED);
        return promise;
    }

    /**
     * A client's KeepAlive: its acknowledgements are taken for upstream, a KeepAlive it held before
     * is answered, and this one is held, or answered at once if something is waiting for the client
     * or it is due. A session the proxy does not know (its client came from another proxy or from
     * the cell) joins the group.
     */
    public synchronized List<Answer<C>> keepAlive(C connection, long sessionId, long callId, KeepAliveRequest ka,
                                                  long now) {
        List<Answer<C>> out = new ArrayList<>();
        Entry<C> e = sessions.get(sessionId);
        if (e == null) {
            e = new Entry<>(sessionId);
            sessions.put(sessionId, e);
            raise(Urgency.JOINED);
        }
        while (!e.events.isEmpty() && e.events.peekFirst().getSeq() <= ka.getAckedEventSeq()) {
            e.events.pollFirst();
        }
        if (ka.getAckedEventSeq() > e.ackedSeq) {
            e.ackedSeq = ka.getAckedEventSeq();
            acknowledged();
        }
        for (long id : ka.getAckedInvalidationsList()) {
            e.invalidations.remove(id);
            e.recentlyAcked.put(id, 0L);
            e.ackedInvalidations.add(id); // forwarded even if delivered by someone else: the master ignores unknown ids
            acknowledged();
        }
        if (ka.getAckedFailover() || ka.getAckedCacheDropped()) {
            e.ackedFailover |= ka.getAckedFailover();
            e.ackedCacheDropped |= ka.getAckedCacheDropped();
            acknowledged();
        }
        boolean superseded = e.heldCallId >= 0;
        if (superseded) {
            out.add(reply(e, now, false)); // as the master does: a superseded KeepAlive gets nothing more
        }
        e.connection = connection;
        e.heldCallId = callId;
        if (answerNow(e, superseded, now)) {
            out.add(reply(e, now));
        }
        return out;
    }

    /**
     * The master's answer to a group KeepAlive sent at {@code sentAt}: leases, events and
     * invalidations per member; sessions it refused end (their held KeepAlive gets the error).
     * Returns the client KeepAlives to answer now.
     */
    public synchronized List<Answer<C>> upstream(GroupKeepAliveReply reply, long sentAt, long arrivedAt, long now) {
        epoch = Math.max(epoch, reply.getEpoch());
        List<Answer<C>> out = new ArrayList<>();
        for (GroupMemberReply slot : reply.getMembersList()) {
            Entry<C> e = sessions.get(slot.getSessionId());
            if (e == null) {
                continue; // left the group meanwhile
            }
            if (slot.hasError()) {
                sessions.remove(slot.getSessionId());
                raise(Urgency.JOINED);
                if (e.heldCallId >= 0) {
                    out.add(new Answer<>(e.connection, e.heldCallId, null, slot.getError().getCode(),
                            slot.getError().getMessage()));
                }
                continue;
            }
            KeepAliveReply k = slot.getReply();
            e.upstreamEnd = Math.max(e.upstreamEnd, lease.end(sentAt, arrivedAt, k.getLeaseMs()));
            if (e.own) {
                ownNews(e, k, sentAt);
                continue;
            }
            for (EventMessage ev : k.getEventsList()) {
                if (ev.getSeq() > e.lastUpstreamSeq && ev.getSeq() > e.ackedSeq) {
                    e.events.addLast(ev);
                    e.unsent = true;
                } else if (ev.getSeq() <= e.ackedSeq && e.flagsForwardedAt != 0 && e.flagsForwardedAt <= sentAt) {
                    // The client flushed for it and the call carrying that went out before this one
                    // was sent, yet the master still has the event: that call was lost. Again.
                    if (ev.getKind() == EventKind.MASTER_FAILED_OVER || ev.getKind() == EventKind.CACHE_DROPPED) {
                        e.ackedFailover |= ev.getKind() == EventKind.MASTER_FAILED_OVER;
                        e.ackedCacheDropped |= ev.getKind() == EventKind.CACHE_DROPPED;
                        e.flagsForwardedAt = 0;
                        acknowledged();
                    }
                }
                e.lastUpstreamSeq = Math.max(e.lastUpstreamSeq, ev.getSeq());
            }
            Set<Long> stillSent = new HashSet<>();
            for (Invalidation inv : k.getInvalidationsList()) {
                stillSent.add(inv.getId());
                Long forwardedAt = e.recentlyAcked.get(inv.getId());
                if (forwardedAt == null) {
                    if (!e.invalidations.containsKey(inv.getId())) {
                        e.invalidations.put(inv.getId(), inv);
                        e.unsent = true;
                    }
                } else if (forwardedAt != 0 && forwardedAt <= sentAt) {
                    // answered to a call made after the acknowledgement went out: that call was lost
                    e.recentlyAcked.put(inv.getId(), 0L);
                    e.ackedInvalidations.add(inv.getId());
                    acknowledged();
                }
            }
            e.recentlyAcked.keySet().retainAll(stillSent); // the master has the others' acknowledgements
        }
        for (Entry<C> e : sessions.values()) {
            if (e.heldCallId >= 0 && answerNow(e, false, now)) {
                out.add(reply(e, now));
            }
        }
        return out;
    }

    /** Timer step: held client KeepAlives that became due. */
    public synchronized List<Answer<C>> tick(long now) {
        List<Answer<C>> out = new ArrayList<>();
        for (Entry<C> e : sessions.values()) {
            if (!e.own && e.heldCallId >= 0 && lease.due(e.promisedEnd, e.upstreamEnd, now)) {
                out.add(reply(e, now));
            }
        }
        return out;
    }

    /** The client connection closed: its sessions leave the group (their clients renew elsewhere). */
    public synchronized int disconnected(C connection) {
        int n = 0;
        for (Iterator<Entry<C>> it = sessions.values().iterator(); it.hasNext(); ) {
            Entry<C> e = it.next();
            if (!e.own && e.connection == connection) {
                it.remove();
                n++;
            }
        }
        if (n > 0) {
            raise(Urgency.JOINED); // renew them no longer: their clients renew elsewhere, or not at all
        }
        return n;
    }

    /**
     * The client closed its session (CloseSession answered): it leaves the group with the next call,
     * which need not come sooner for it: the master has ended the session and no longer holds it in
     * this group's call (session-mgr, "Group KeepAlive").
     */
    public synchronized void closed(long sessionId) {
        sessions.remove(sessionId);
    }

    /** Whether the group changed or acknowledgements wait since the last {@link #members()}. */
    public synchronized boolean changed() {
        return urgency != Urgency.NONE;
    }

    /** How urgent the next group call is (NONE: nothing waits for one). */
    public synchronized Urgency urgency() {
        return urgency;
    }

    private void acknowledged() {
        raise(Urgency.ACKS);
    }

    /**
     * The members of the next group KeepAlive, sent at {@code now}, with the acknowledgements
     * gathered since the last one. A session whose client holds no KeepAlive here and whose promised
     * lease has passed leaves the group: a proxy renews only sessions whose clients keep asking.
     */
    public synchronized List<GroupMember> members(long now) {
        List<GroupMember> out = members(now, id -> true);
        urgency = Urgency.NONE;
        return out;
    }

    /**
     * As {@link #members(long)}, for the sessions {@code part} selects only (one of several group
     * calls of a proxy too large for one): their acknowledgements are taken, the others' stay, and
     * so does the urgency of the next call naming everyone.
     */
    public synchronized List<GroupMember> members(long now, java.util.function.LongPredicate part) {
        List<GroupMember> out = new ArrayList<>(sessions.size());
        for (Iterator<Map.Entry<Long, Entry<C>>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Entry<C>> me = it.next();
            if (!part.test(me.getKey())) {
                continue;
            }
            Entry<C> e = me.getValue();
            if (!e.own && e.heldCallId < 0 && now >= e.promisedEnd) {
                // Its client has not asked for more lease than it was promised (stopped, or gone without
                // closing its connection): the proxy must not keep it alive. The master lets it run out.
                it.remove();
                continue;
            }
            out.add(GroupMember.newBuilder().setSessionId(me.getKey()).setAcks(KeepAliveRequest.newBuilder()
                    .setAckedEventSeq(e.ackedSeq).addAllAckedInvalidations(e.ackedInvalidations)
                    .setAckedFailover(e.ackedFailover).setAckedCacheDropped(e.ackedCacheDropped)).build());
            for (long id : e.ackedInvalidations) {
                e.recentlyAcked.replace(id, now);
            }
            e.ackedInvalidations.clear();
            if (e.ackedFailover || e.ackedCacheDropped) {
                e.flagsForwardedAt = now;
            }
            e.ackedFailover = false;
            e.ackedCacheDropped = false;
        }
        return out;
    }

    /**
     * A group call failed: send another. (Invalidation acknowledgements it carried go out again
     * when the master sends the invalidation in answer to a later call; events and flags are
     * acknowledged again by the client, which gets them again.)
     */
    public synchronized void resend() {
        acknowledged();
    }


    /** The proxy's own session, created upstream for its cache reads: a member renewed for as long as the proxy runs. */
    public synchronized void own(long sessionId, long leaseMillis, long sentAt, long arrivedAt) {
        Entry<C> e = sessions.computeIfAbsent(sessionId, Entry::new);
        e.own = true;
        e.upstreamEnd = Math.max(e.upstreamEnd, lease.end(sentAt, arrivedAt, leaseMillis));
        own = e;
        raise(Urgency.JOINED);
    }

    /** The proxy's own session id, or 0 before it has one. */
    public synchronized long ownSession() {
        return own == null ? 0 : own.id;
    }

    /** Whether the proxy's own session may still count on its lease (the cache may be served). */
    public synchronized boolean ownLive(long now) {
        return ownPresent() && own.upstreamEnd > now;
    }

    /** Acknowledges an invalidation of the proxy's own session upstream (the cache has dropped the path). */
    public synchronized void ackOwn(long upstreamId) {
        if (own != null) {
            own.recentlyAcked.put(upstreamId, 0L);
            own.ackedInvalidations.add(upstreamId);
            acknowledged();
        }
    }

    /** What arrived for the proxy's own session since the last call. */
    public synchronized OwnNews takeOwnNews() {
        OwnNews n = new OwnNews(List.copyOf(ownInvalidations), ownFlush);
        ownInvalidations.clear();
        ownFlush = false;
        return n;
    }

    /** The cache was flushed after {@link OwnNews#flush()}: the proxy's own session acknowledges the flush. */
    public synchronized void ownFlushed() {
        if (own != null && (ownFlushFailover || ownFlushDropped)) {
            own.ackedFailover |= ownFlushFailover;
            own.ackedCacheDropped |= ownFlushDropped;
            acknowledged();
        }
        ownFlushFailover = false;
        ownFlushDropped = false;
    }

    /** Whether the proxy's own session is still renewed (not refused by the master). */
    public synchronized boolean ownPresent() {
        return own != null && sessions.get(own.id) == own;
    }

    /** The client connection the proxy last heard from for {@code sessionId}; null for unknown sessions and its own. */
    public synchronized C connectionOf(long sessionId) {
        Entry<C> e = sessions.get(sessionId);
        return e == null || e.own ? null : e.connection;
    }

    /** Whether the client session is renewed here and within the lease it was promised. */
    public synchronized boolean serving(long sessionId, long now) {
        Entry<C> e = sessions.get(sessionId);
        return e != null && !e.own && now < e.promisedEnd;
    }

    /** The proxy's own session acknowledges what it is sent by itself: events at once, invalidations via the cache. */
    private void ownNews(Entry<C> e, KeepAliveReply k, long sentAt) {
        for (EventMessage ev : k.getEventsList()) {
            if (ev.getSeq() > e.ackedSeq) {
                e.ackedSeq = ev.getSeq();
                acknowledged();
            }
            if (ev.getKind() == EventKind.MASTER_FAILED_OVER || ev.getKind() == EventKind.CACHE_DROPPED) {
                // the flag goes up only once the caller has flushed the cache (ownFlushed)
                ownFlush = true;
                ownFlushFailover |= ev.getKind() == EventKind.MASTER_FAILED_OVER;
                ownFlushDropped |= ev.getKind() == EventKind.CACHE_DROPPED;
            }
        }
        Set<Long> stillSent = new HashSet<>();
        for (Invalidation inv : k.getInvalidationsList()) {
            stillSent.add(inv.getId());
            Long forwardedAt = e.recentlyAcked.get(inv.getId());
            if (forwardedAt == null && !e.invalidations.containsKey(inv.getId())) {
                e.invalidations.put(inv.getId(), inv); // remembered so it is handed to the cache once
                ownInvalidations.add(inv);
            } else if (forwardedAt != null && forwardedAt != 0 && forwardedAt <= sentAt) {
                e.recentlyAcked.put(inv.getId(), 0L);
                e.ackedInvalidations.add(inv.getId());
                acknowledged();
            }
        }
        e.invalidations.keySet().retainAll(stillSent);
        e.recentlyAcked.keySet().retainAll(stillSent);
    }

    /** Sessions renewed upstream, the proxy's own included. */
    public synchronized int size() {
        return sessions.size();
    }

    /** Client sessions renewed upstream. */
    public synchronized int clientSessions() {
        return sessions.size() - (ownPresent() ? 1 : 0);
    }

    public synchronized int held() {
        int n = 0;
        for (Entry<C> e : sessions.values()) {
            n += e.heldCallId >= 0 ? 1 : 0;
        }
        return n;
    }

    public synchronized long epoch() {
        return epoch;
    }

    /** Number of distinct client connections with a session here. */
    public synchronized int clients() {
        Set<C> conns = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Entry<C> e : sessions.values()) {
            if (e.connection != null) {
                conns.add(e.connection);
            }
        }
        return conns.size();
    }

    /**
     * Something waits for the client and it may not have it (new since the last reply, or its last
     * reply went to another connection or answered a KeepAlive it gave up on), or the KeepAlive is due.
     */
    private boolean answerNow(Entry<C> e, boolean superseded, long now) {
        if (e.own) {
            return false;
        }
        boolean pending = !e.events.isEmpty() || !e.invalidations.isEmpty();
        return (pending && (e.unsent || superseded || e.connection != e.lastReplyConnection))
                || lease.due(e.promisedEnd, e.upstreamEnd, now);
    }

    /** Answers the held KeepAlive with what the proxy may promise: the upstream lease left, no more. */
    private Answer<C> reply(Entry<C> e, long now) {
        return reply(e, now, true);
    }

    /** As {@link #reply(Entry, long)}, or (not extending: a superseded KeepAlive) no more than promised before. */
    private Answer<C> reply(Entry<C> e, long now, boolean extend) {
        long end = extend ? e.upstreamEnd : Math.min(e.upstreamEnd, e.promisedEnd);
        long leaseMs = Math.max(0, end - now);
        e.promisedEnd = now + leaseMs;
        e.lastReplyConnection = e.connection;
        e.unsent = false;
        KeepAliveReply r = KeepAliveReply.newBuilder().setLeaseMs(leaseMs).setEpoch(epoch).addAllEvents(e.events)
                .addAllInvalidations(e.invalidations.values()).build();
        Answer<C> a = new Answer<>(e.connection, e.heldCallId, r, 0, "");
        e.heldCallId = -1;
        return a;
    }
}
