package io.chubby.cell.internal.master;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Held group KeepAlives (issue 17): a proxy renews many sessions with one held call; each member is
 * treated as its own KeepAlive would be, and the group is answered whole when any member is due or
 * has news, so the master's KeepAlive work grows with the number of proxies, not of their clients.
 * A member held by a group has {@link Lease#group} set to it.
 *
 * <p>Threads: none of its own and no lock of its own. It is part of the {@link SessionLeases} that
 * creates it and shares that object's leases: every method is called, and calls back into
 * {@link SessionLeases}, only while holding that object's monitor, so one lock guards every lease
 * and every held call.
 */
final class GroupLeases {
    /** A group KeepAlive being held: one call answering for its members. */
    static final class HeldGroup {
        final long id;
        final ClientConnection conn;
        final long callId;
        final List<Long> members = new ArrayList<>();
        /** Members still held by this call (not taken by a newer KeepAlive). */
        int held;
        final List<GroupMemberReply> refused;

        HeldGroup(long id, ClientConnection conn, long callId, List<GroupMemberReply> refused) {
            this.id = id;
            this.conn = conn;
            this.callId = callId;
            this.refused = new ArrayList<>(refused);
        }
    }

    private final SessionLeases owner;
    private final Map<Long, Lease> leases;
    /** Held group KeepAlives by group id. */
    private final Map<Long, HeldGroup> groups = new HashMap<>();
    private final CellSettings settings;
    private final LeasePolicy policy;
    private final LongSupplier epoch;

    GroupLeases(SessionLeases owner, Map<Long, Lease> leases, CellSettings settings, LeasePolicy policy,
                LongSupplier epoch) {
        this.owner = owner;
        this.leases = leases;
        this.settings = settings;
        this.policy = policy;
        this.epoch = epoch;
    }

    /**
     * A group KeepAlive arrived: holds it for the sessions of {@code members} (see
     * {@link SessionLeases#groupKeepAlive}), answering at once when any member is due, has something
     * new, or is new to {@code conn}. Returns what the members acknowledged, for the hooks.
     */
    List<LeaseAcks> keepAlive(ClientConnection conn, long callId, long groupId, List<GroupMember> members,
                              List<GroupMemberReply> refused, long now) {
        List<LeaseAcks> acks = new ArrayList<>();
        HeldGroup old = groups.get(groupId);
        if (old != null) {
            reply(old, now, false); // superseded by this one: answered at once, not extended
        }
        HeldGroup g = new HeldGroup(groupId, conn, callId, refused);
        boolean answer = false;
        for (GroupMember m : members) {
            long id = m.getSessionId();
            Lease l = leases.get(id);
            if (l == null || l.ending) {
                g.refused.add(SessionLeases.memberError(id, ErrorCode.SESSION_EXPIRED, "session " + id + " has expired"));
                continue;
            }
            if (l.group == g) {
                continue; // named twice
            }
            LeaseAcks a = LeaseAcks.apply(id, l, m.getAcks());
            boolean superseded = owner.supersede(l, now);
            l.group = g;
            g.members.add(id);
            g.held++;
            if (l.owes() && now >= l.claimsEnd()) {
                a.dropped = l.dropClaims(epoch.getAsLong());
            }
            // A member new to this connection (its client just came to this proxy, or the
            // proxy just started) is answered at once: the proxy knows nothing of its lease yet.
            answer |= owner.answerAtOnce(l, conn, superseded, now) || l.lastReplyConnection != conn;
            acks.add(a);
        }
        groups.put(groupId, g);
        if (answer || g.members.isEmpty()) {
            reply(g, now, true);
        }
        return acks;
    }

    /**
     * The group holding {@code l} lets go of it (a newer KeepAlive took it, or its client closed
     * it): the group's answer will leave the session out; a group left holding no one is answered.
     */
    void release(Lease l, long now) {
        HeldGroup g = l.group;
        l.group = null;
        if (--g.held == 0) {
            reply(g, now, false);
        }
    }

    /**
     * How long before the lease end a group's member is answered: a third of a lease (at least the
     * margin). The proxy passes the extension on to clients whose local leases are discounted twice
     * (by the proxy and by the client library), and a group call costs the master no more for being
     * answered a little more often.
     */
    long margin() {
        return Math.max(settings.keepAliveMarginMillis(), policy.leaseMillis() / 3);
    }

    /**
     * Answers a held group KeepAlive: a slot per member it still holds (a member a newer KeepAlive
     * took over is answered there and left out here; a member whose session ended gets
     * SESSION_EXPIRED), plus the slots refused on arrival.
     */
    void reply(HeldGroup g, long now, boolean extend) {
        groups.remove(g.id, g);
        GroupKeepAliveReply.Builder b = GroupKeepAliveReply.newBuilder().setEpoch(epoch.getAsLong())
                .addAllMembers(g.refused);
        long recall = margin();
        for (long id : g.members) {
            Lease l = leases.get(id);
            if (l == null) {
                b.addMembers(SessionLeases.memberError(id, ErrorCode.SESSION_EXPIRED, "session " + id + " has ended"));
            } else if (l.group == g) {
                l.group = null;
                b.addMembers(GroupMemberReply.newBuilder().setSessionId(id)
                        .setReply(l.reply(now, extend, g.conn, recall, policy.leaseMillis(), epoch.getAsLong())));
            }
        }
        if (g.conn.isOpen()) {
            g.conn.send(Response.newBuilder().setCallId(g.callId).setGroupKeepAlive(b).build().toByteArray());
        }
    }

    /** Mastership lost: every held group call, handed back to be failed by the caller; none held after. */
    void takeAll(List<SessionLeases.Held> out) {
        for (HeldGroup g : groups.values()) {
            out.add(new SessionLeases.Held(g.conn, g.callId));
        }
        groups.clear();
    }

    /** Group calls held now. */
    int heldCount() {
        return groups.size();
    }
}
