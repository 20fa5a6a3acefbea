package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Proposer state of one ballot: phase 1 (collecting promises) and, once a majority promised,
 * phase 2 bookkeeping per follower and the master lease. Discarded when the replica steps down,
 * so nothing of an old ballot leaks into a new one. Owned by the node's thread.
 */
final class Leader {

    /** Replication progress of one follower in this ballot. */
    static final class Progress {
        /** Next index to send. */
        long next;
        /** Every slot up to here is accepted by the follower in this ballot (or known chosen). */
        long match;
        /** Acknowledged ranges above {@code match + 1} (first to last), from reordered replies. */
        final TreeMap<Long, Long> pending = new TreeMap<>();
        long matchAtLastCheck;
        /** The follower's own commit index as it last reported it: it holds every chosen slot up to here. */
        long reportedCommit;
        long catchUpFrom = -1;
        long catchUpAt;
        /**
         * Slots from here on are to be sent again (a HeartbeatAck said the follower lacks them),
         * 0: none. {@code next} is rewound only when the Accepts are made ({@code sendAccepts}):
         * rewinding it at once let an acknowledgement stepped before then move it forward again, and
         * nothing was re-sent for two renew periods (consensus-paxos README "Handoff timing").
         */
        long resendFrom;
        long snapshotFlaggedAt = Long.MIN_VALUE / 2; // no overflow in now - snapshotFlaggedAt

        void ack(long first, long last) {
            if (first > match + 1) {
                pending.merge(first, last, Math::max);
                if (pending.size() > 64) {
                    pending.pollLastEntry(); // bounded; the retransmit timer recovers anything dropped
                }
            } else {
                match = Math.max(match, last);
            }
            while (!pending.isEmpty() && pending.firstKey() <= match + 1) {
                match = Math.max(match, pending.pollFirstEntry().getValue());
            }
            next = Math.max(next, match + 1);
        }
    }

    final Ballot ballot;
    /** Phase 1 covers every slot from here upward. */
    final long fromIndex;
    final long startedAt;
    private final PaxosConfig cfg;
    private final Configs configs;
    /** The candidate's base configuration when phase 1 began: its promises need a majority of it. */
    private final Configuration phase1Base;
    /** Configurations in entries of the phase-1 range (own log and promises): a majority of each too. */
    private final Set<Configuration> phase1Found = new HashSet<>();
    private final Map<Integer, Message.Promise> promises = new HashMap<>();
    private final Map<Integer, Long> leaseStamps = new HashMap<>();
    private long leaseExpiry = Long.MIN_VALUE;
    /** {@link Configs#version} and stamp count {@link #leaseExpiry} was computed for. */
    private int leaseConfigs = -1;
    private final Set<Integer> compactedRefusals = new HashSet<>();
    private final Map<Integer, Progress> progress = new TreeMap<>();
    boolean phase2;
    long barrierIndex;
    long nextHeartbeat;
    /** The replica this master hands over to (0: none); it serves nothing meanwhile. */
    int handoffTo;
    /** A handoff not completed by then is given up (the target is down or cut off) and we serve again. */
    long handoffUntil;
    /** The running handoff is an operator's: the target's mastership will be {@link #pinned}. */
    boolean handoffPinned;
    /** This mastership was placed by an operator (a pinned handoff); placement's home rule leaves it. */
    boolean pinned;
    /** When the followers' progress was last checked for loss (heartbeats, at most every renew/2). */
    long progressCheckedAt;
    long nextRetry;

    Leader(PaxosConfig cfg, Configs configs, Ballot ballot, long fromIndex, long now) {
        this.cfg = cfg;
        this.configs = configs;
        this.phase1Base = configs.base();
        this.ballot = ballot;
        this.fromIndex = fromIndex;
        this.startedAt = now;
    }

    /**
     * Records a promise (the first one per acceptor counts); true when phase 1 is complete: the
     * promises hold a majority of our base configuration and of every configuration found in an
     * entry of the phase-1 range (CORE-API.md "Changing the members", rule 4).
     */
    boolean promised(Message.Promise p) {
        if (p.fromIndex() == fromIndex && promises.putIfAbsent(p.from(), p) == null) {
            for (Entry e : p.entries()) {
                Configuration c = e.index() >= fromIndex ? Configuration.decode(e.value()) : null;
                if (c != null) {
                    phase1Found.add(c);
                }
            }
        }
        if (!phase1Base.majorityIn(promises.keySet())) {
            return false;
        }
        for (Configuration c : phase1Found) {
            if (!c.majorityIn(promises.keySet())) {
                return false;
            }
        }
        return true;
    }

    /** Whom phase 1 needs promises from: the members of every configuration it counts. */
    Set<Integer> voters() {
        Set<Integer> out = new TreeSet<>(phase1Base.members());
        for (Configuration c : phase1Found) {
            out.addAll(c.members());
        }
        return out;
    }

    /** Records that {@code replica} cannot promise (log compacted); true once no majority of the base is left. */
    boolean compactedRefusal(int replica) {
        if (phase1Base.contains(replica)) {
            compactedRefusals.add(replica);
        }
        return compactedRefusals.size() > phase1Base.size() - phase1Base.quorum();
    }

    boolean hasPromised(int replica) {
        return promises.containsKey(replica);
    }

    /**
     * The values to propose for slots {@code fromIndex..}: for each slot the value accepted with
     * the highest ballot among the promises, a no-op for holes, then the new master's barrier
     * no-op (Paxos phase 1 rule; CONSENSUS.md "Multi-Paxos with a master").
     */
    List<Entry> proposals() {
        TreeMap<Long, Entry> best = new TreeMap<>();
        for (Message.Promise p : promises.values()) {
            for (Entry e : p.entries()) {
                if (e.index() >= fromIndex) {
                    best.merge(e.index(), e, (a, b) -> b.ballot().greaterThan(a.ballot()) ? b : a);
                }
            }
        }
        long last = best.isEmpty() ? fromIndex - 1 : best.lastKey();
        List<Entry> out = new ArrayList<>();
        for (long i = fromIndex; i <= last + 1; i++) {
            Entry e = best.get(i);
            out.add(e != null ? new Entry(i, ballot, e.epoch(), e.value())
                    : new Entry(i, ballot, ballot.epoch(), new byte[0]));
        }
        promises.clear(); // only needed once; keeps memory small
        return out;
    }

    /**
     * Starts phase 2 with {@code replicas} (members in play and learners, self included): every
     * follower is assumed to hold the chosen prefix below {@code fromIndex}.
     */
    void startPhase2(long barrier, Collection<Integer> replicas, long now) {
        phase2 = true;
        barrierIndex = barrier;
        track(replicas);
        progress.get(cfg.self()).next = barrier + 1;
        nextHeartbeat = cfg.nextRenewal(now);
        progressCheckedAt = now;
    }

    /** Replicates to (and counts) these replicas from now on, too: new members, learners. */
    void track(Collection<Integer> replicas) {
        for (int r : replicas) {
            if (!progress.containsKey(r)) {
                Progress p = new Progress();
                p.match = fromIndex - 1;
                p.matchAtLastCheck = p.match;
                p.next = fromIndex;
                progress.put(r, p);
            }
        }
    }

    /** Stops replicating to {@code replica} (a learner dropped, a member gone from every configuration). */
    void untrack(int replica) {
        if (replica != cfg.self()) {
            progress.remove(replica);
            leaseStamps.remove(replica);
            leaseConfigs = -1;
        }
    }

    /** Every replica with progress in this ballot (self, members in play, learners). */
    java.util.Set<Integer> trackedReplicas() {
        return progress.keySet();
    }

    Progress progress(int replica) {
        return progress.get(replica);
    }

    Iterable<Map.Entry<Integer, Progress>> followers() {
        List<Map.Entry<Integer, Progress>> out = new ArrayList<>();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            if (e.getKey() != cfg.self()) {
                out.add(e);
            }
        }
        return out;
    }

    /** The highest index a majority of {@code c} accepted in this ballot (self included; 0 for no members). */
    long quorumMatch(Configuration c) {
        if (c.size() == 0) {
            return 0;
        }
        long[] m = new long[c.size()];
        int i = 0;
        for (int r : c.members()) {
            Progress p = progress.get(r);
            m[i++] = p == null ? 0 : p.match;
        }
        Arrays.sort(m);
        return m[m.length - c.quorum()];
    }

    /** An acceptor answered a request stamped {@code stamp} (our clock) in this ballot. */
    void leaseAck(int replica, long stamp) {
        Long prev = leaseStamps.put(replica, stamp);
        if (prev != null && prev > stamp) {
            leaseStamps.put(replica, prev);
            return;
        }
        leaseConfigs = -1;
    }

    /**
     * Lease end on our clock: a majority of every configuration in play (CORE-API.md "Changing
     * the members", rule 5) is bound to us until at least its quorum-th newest acknowledged stamp
     * plus L, measured on their clocks; see {@link PaxosConfig#masterLeaseMillis}. Grows with
     * acknowledgements; may shrink when a configuration entry is written.
     */
    long leaseExpiry() {
        if (leaseConfigs != configs.version()) {
            leaseExpiry = computeLeaseExpiry();
            leaseConfigs = configs.version();
        }
        return leaseExpiry;
    }

    private long computeLeaseExpiry() {
        long expiry = Long.MAX_VALUE;
        for (Configuration c : configs.inPlay()) {
            long[] s = new long[c.size()];
            int n = 0;
            for (int r : c.members()) {
                Long v = leaseStamps.get(r);
                if (v != null) {
                    s[n++] = v;
                }
            }
            if (c.size() == 0 || n < c.quorum()) {
                return Long.MIN_VALUE;
            }
            Arrays.sort(s, 0, n);
            expiry = Math.min(expiry, s[n - c.quorum()] + cfg.masterLeaseMillis());
        }
        return expiry;
    }

    /** Our clock's send time of the newest request {@code replica} answered in this ballot, MIN when none. */
    long lastAnswered(int replica) {
        return leaseStamps.getOrDefault(replica, Long.MIN_VALUE);
    }
}
