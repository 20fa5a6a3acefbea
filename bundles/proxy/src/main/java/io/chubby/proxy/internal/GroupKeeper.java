package io.chubby.proxy.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews every session of the {@link SessionTable} upstream with one group KeepAlive (protocol
 * 1.3.0): one call held at the master at a time; when its answer arrives the next is sent at once.
 * When the group changes or clients acknowledge something, a new call supersedes the held one
 * (the master answers the old at once), coalesced so that many acknowledgements of one broadcast
 * cost one call. A superseding call names every member, so its cost (here, on the wire and at the
 * master) grows with the group: the coalescing window grows with it too ({@link #coalesceMillis}).
 * Acknowledgements (a write may wait for them) go after {@link #COALESCE_MS}, or 1 ms per
 * {@link #MEMBERS_PER_MS_ACKS} members; a session that arrived from elsewhere (its lease is what its
 * old holder left it) or a client connection that closed, after 1 ms per {@link #MEMBERS_PER_MS_JOINS}
 * members, at most a sixth of a lease; sessions created here (each has the whole lease its
 * CreateSession got) after {@link #CREATED_MS}, at most a sixth of a lease; a session its client
 * closed sends nothing (the master lets go of it). A proxy whose clients are being created at
 * thousands a second thus sends one group call a second, not one per client. A failed call (no master in time) is retried
 * with backoff; meanwhile no lease is extended, so the proxy promises its clients nothing more.
 *
 * <p>A group too large for one frame (the answer carries a slot per member: about 12 bytes each,
 * more with events and invalidations, and a frame holds 1 MiB + 64 KiB) is split over several
 * calls, each with a group id of its own and at most {@link #MAX_MEMBERS_PER_CALL} members or
 * {@link #MAX_CALL_BYTES} bytes of them (long principal names count): a session goes to call
 * {@code sessionId mod parts}. Each part is held and answered on its own; a change of the group
 * re-sends every part. Parts are only ever added (a session that moves to another part is taken
 * from the old call by the new one at the master, as when a client moves between proxies).
 *
 * <p>Threads: {@link #poke} from any thread; sends run on the timer thread and the channel's
 * callback threads, serialised by this object's monitor.
 */
final class GroupKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(GroupKeeper.class);
    static final long COALESCE_MS = 1;
    static final int MEMBERS_PER_MS_ACKS = 1_000;
    static final int MEMBERS_PER_MS_JOINS = 100;
    /** Sessions created here are named upstream within this (or a sixth of a lease, if shorter). */
    static final long CREATED_MS = 1_000;
    /** At most this many members in one group call (its answer carries a slot per member). */
    static final int MAX_MEMBERS_PER_CALL = 10_000;
    /** At most this many bytes of members in one group call (a frame holds 1 MiB + 64 KiB). */
    static final int MAX_CALL_BYTES = 256 * 1024;

    /** One of the calls the group is split over: group id {@code groupId + 2 x index} (odd: never 0), one held at a time. */
    private static final class Part {
        final int index;
        long generation;
        boolean lastEmpty = true;
        /**
         * System.nanoTime when this part last had no call outstanding, or last heard from the
         * master (an answer to any of its calls); 0 while nothing is outstanding. The stuck-master
         * watchdog counts from here, so a call superseding the held one does not restart it.
         */
        long unansweredSince;

        Part(int index) {
            this.index = index;
        }
    }
    private static final long MAX_BACKOFF_MS = 1_000;

    private final MasterChannel channel;
    private final SessionTable<ClientConnection> table;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Consumer<List<SessionTable.Answer<ClientConnection>>> answers;
    private final Principals principals;
    /** The call timeout beyond the lease: the master answers a group well within the lease it granted. */
    private final Duration callTimeout;
    /** The longest lease in the last answer (at first the longest a cell may grant). */
    private volatile long leaseMs;
    private final long groupId;
    /** The partition whose sessions it renews (0: a cell of one partition, whose calls name none). */
    private final int partition;
    private final AtomicLong calls = new AtomicLong();
    /** The calls the group is split over (one until it outgrows a frame); only ever more of them. */
    private final List<Part> parts = new ArrayList<>(List.of(new Part(0)));
    /** When the scheduled send is due (System.nanoTime), Long.MAX_VALUE when none is. */
    private long dueAt = Long.MAX_VALUE;
    /** Members of the last call: the size of the next. */
    private int lastMembers;
    private long backoffMs;
    private volatile boolean closed;

    GroupKeeper(MasterChannel channel, SessionTable<ClientConnection> table, Clock clock,
                ScheduledExecutorService timer, Consumer<List<SessionTable.Answer<ClientConnection>>> answers,
                Duration callTimeout, Duration maxLease, long groupId, Principals principals) {
        this(channel, table, clock, timer, answers, callTimeout, maxLease, groupId, principals, 0);
    }

    /**
     * A keeper of partition {@code partition}'s sessions in a partitioned cell: its calls name that
     * partition (so they go to its master and renew its sessions there), a stuck master is looked
     * for again for that partition only.
     */
    GroupKeeper(MasterChannel channel, SessionTable<ClientConnection> table, Clock clock,
                ScheduledExecutorService timer, Consumer<List<SessionTable.Answer<ClientConnection>>> answers,
                Duration callTimeout, Duration maxLease, long groupId, Principals principals, int partition) {
        this.partition = partition;
        this.principals = principals;
        this.channel = channel;
        this.table = table;
        this.clock = clock;
        this.timer = timer;
        this.answers = answers;
        this.callTimeout = callTimeout;
        this.leaseMs = maxLease.toMillis();
        this.groupId = groupId;
    }

    /** The group changed or acknowledgements wait: a new call soon (superseding the held one). */
    synchronized void poke() {
        if (!closed) {
            SessionTable.Urgency u = table.urgency();
            if (u != SessionTable.Urgency.NONE) {
                sendWithin(coalesceMillis(lastMembers, u, leaseMs));
            }
        }
    }

    /** How long changes are gathered before a call naming {@code members} members supersedes the held one. */
    static long coalesceMillis(int members, SessionTable.Urgency urgency, long leaseMs) {
        long joins = Math.min(members / MEMBERS_PER_MS_JOINS, leaseMs / 6);
        long ms = switch (urgency) {
            case ACKS -> members / MEMBERS_PER_MS_ACKS;
            case JOINED -> joins;
            case CREATED, NONE -> Math.max(joins, Math.min(CREATED_MS, leaseMs / 6));
        };
        return Math.max(COALESCE_MS, ms);
    }

    /** A send within {@code millis}: sooner than the one scheduled, if any, else nothing new. */
    private void sendWithin(long millis) {
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (at < dueAt) {
            dueAt = at;
            timer.schedule(this::scheduledSend, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Group calls sent since the start (the master's KeepAlive work caused by this proxy). */
    long calls() {
        return calls.get();
    }

    void close() {
        closed = true;
    }

    private synchronized void scheduledSend() {
        if (System.nanoTime() < dueAt) {
            return; // a later schedule, overtaken by a sooner one that has run: its own task comes
        }
        dueAt = Long.MAX_VALUE;
        if (table.changed()) {
            send(); // else the call sent meanwhile (an answer came) already carries everything
        }
    }

    /** One call per part, every member named: the group changed, or acknowledgements wait. */
    private synchronized void send() {
        if (closed) {
            return;
        }
        long sentAt = clock.millis();
        // each member renewed for the principal of its client (the proxy's own session as the proxy's)
        List<GroupMember> members = principals.stamp(table.members(sentAt), table::connectionOf);
        lastMembers = members.size();
        int needed = partsFor(members);
        while (parts.size() < needed) {
            parts.add(new Part(parts.size()));
            if (parts.size() > 1) {
                LOG.info("group KeepAlive split over {} calls ({} members)", parts.size(), members.size());
            }
        }
        List<List<GroupMember>> split = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            split.add(new ArrayList<>());
        }
        for (GroupMember m : members) {
            split.get(partOf(m.getSessionId(), parts.size())).add(m);
        }
        for (Part part : parts) {
            send(part, split.get(part.index), sentAt);
        }
    }

    /** The part {@code sessionId} is renewed by when the group is split over {@code parts} calls. */
    static int partOf(long sessionId, int parts) {
        return (int) Long.remainderUnsigned(sessionId, parts);
    }

    /**
     * How many calls the group needs so that each stays well inside a frame (its answer, one slot
     * per member, is larger than the call): at most {@link #MAX_MEMBERS_PER_CALL} members and
     * {@link #MAX_CALL_BYTES} bytes each. Never fewer than before: members would only move back and forth.
     */
    int partsFor(List<GroupMember> members) {
        long bytes = 0;
        for (GroupMember m : members) {
            bytes += m.getSerializedSize() + 4;
        }
        long byCount = (members.size() + MAX_MEMBERS_PER_CALL - 1) / MAX_MEMBERS_PER_CALL;
        long byBytes = (bytes + MAX_CALL_BYTES - 1) / MAX_CALL_BYTES;
        return (int) Math.max(parts.size(), Math.max(1, Math.max(byCount, byBytes)));
    }

    /** Holds the next call of one part at once (its last call was answered), naming that part's members only. */
    private synchronized void sendAgain(Part part) {
        if (closed) {
            return;
        }
        if (parts.size() == 1) {
            send(); // everyone: whatever waits goes with it
            return;
        }
        long sentAt = clock.millis();
        int n = parts.size();
        List<GroupMember> members = principals.stamp(
                table.members(sentAt, id -> partOf(id, n) == part.index), table::connectionOf);
        send(part, members, sentAt);
    }

    private void send(Part part, List<GroupMember> members, long sentAt) {
        if (members.isEmpty() && part.lastEmpty) {
            part.unansweredSince = 0; // nothing outstanding to watch
            return; // nothing to renew, and the master holds nothing of ours in this part
        }
        part.lastEmpty = members.isEmpty();
        long gen = ++part.generation;
        if (part.unansweredSince == 0) {
            startWatch(part, System.nanoTime());
        }
        calls.incrementAndGet();
        Request.Builder call = Request.newBuilder().setGroupKeepAlive(GroupKeepAliveRequest.newBuilder()
                .setGroupId(groupId + 2L * part.index).addAllMembers(members));
        if (partition != 0) {
            call.setPartition(partition); // unset for partition 0: the bytes of a cell of one partition
        }
        byte[] req = call.build().toByteArray();
        // A master that holds the call past the lease it granted is stuck (paused, cut off): give up
        // then, as the client library does with its KeepAlive, and find the master again.
        Duration timeout = callTimeout.plusMillis(leaseMs);
        channel.call(req, MasterChannel.Retry.IDEMPOTENT, timeout).whenComplete((bytes, err) -> {
            if (err != null) {
                failed(part, gen, String.valueOf(err));
                return;
            }
            Response r;
            try {
                r = Response.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                failed(part, gen, "undecodable answer: " + e.getMessage());
                return;
            }
            if (r.hasError() || !r.hasGroupKeepAlive()) {
                failed(part, gen, r.hasError() ? r.getError().getMessage() : "the master answered " + r.getBodyCase());
                return;
            }
            long now = clock.millis();
            long longest = 0;
            for (var slot : r.getGroupKeepAlive().getMembersList()) {
                longest = Math.max(longest, slot.getReply().getLeaseMs());
            }
            if (longest > 0) {
                leaseMs = longest;
            }
            List<SessionTable.Answer<ClientConnection>> toClients = table.upstream(r.getGroupKeepAlive(), sentAt, now, now);
            synchronized (this) {
                backoffMs = 0;
                // the master answered: it is alive now; a call still outstanding is watched from here
                startWatch(part, System.nanoTime());
                if (gen == part.generation) {
                    // this part's latest call was answered: hold the next one at once, before the
                    // clients are answered. Until it reaches the master nothing holds these members
                    // there, and one that owes an acknowledgement has a lease the answer did not extend.
                    sendAgain(part);
                }
            }
            answers.accept(toClients);
        });
    }

    /** Group calls the proxy's sessions are split over now. */
    synchronized int parts() {
        return parts.size();
    }

    /**
     * Watches {@code part} from {@code since}: if the master has answered none of its calls for the
     * call timeout plus a lease by then, the master is stuck (paused, cut off) and the proxy looks
     * for it again, as when one call times out. Calls superseded meanwhile (the group changed, a
     * client came or went) do not restart this: each new call's own timeout would, and a proxy whose
     * clients reconnect more often than that never gave up on a paused master (SessionsThroughProxiesIT).
     */
    private void startWatch(Part part, long since) {
        part.unansweredSince = since;
        long afterMs = callTimeout.toMillis() + leaseMs;
        timer.schedule(() -> watch(part, since, afterMs), afterMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void watch(Part part, long since, long afterMs) {
        if (closed || part.unansweredSince != since) {
            return; // answered since, or nothing outstanding any more
        }
        long gen = ++part.generation; // the call outstanding now is given up: its answer would be stale
        failed(part, gen, "no answer from the master to any group KeepAlive within " + afterMs
                + " ms (calls that superseded the held one included)");
    }

    private synchronized void failed(Part part, long gen, String why) {
        table.resend();
        if (closed || gen != part.generation) {
            return; // superseded meanwhile: the newer call carries the acknowledgements
        }
        part.unansweredSince = 0; // the call sent after the backoff starts a new watch
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(50, backoffMs * 2));
        channel.relocate(partition); // the next call finds the partition's master again
        LOG.warn("group KeepAlive failed, retrying in {} ms: {}", backoffMs, why);
        part.lastEmpty = false;
        sendWithin(backoffMs);
    }
}
