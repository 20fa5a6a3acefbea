package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The proposer side of a replica: campaigning (phase 1), and as master: re-proposing, phase 2
 * replication with batching and pipelining, commit, heartbeats and the lease. Works on the
 * replica's {@link NodeState}; per-ballot data lives in {@link Leader}. Owned by the node's thread.
 */
final class Proposer {
    private final NodeState s;

    Proposer(NodeState s) {
        this.s = s;
    }

    /**
     * Starts a pre-vote round for the ballot we would campaign with; we grant it ourselves (our
     * lease promise lapsed: the caller checked). Campaigns at once when that is a majority.
     */
    void startPoll(long now) {
        s.poll = new Poll(new Ballot(Math.max(s.maxRound, s.promised.round()) + 1, s.self), s.commitIndex + 1, now);
        s.poll.grant(s.self);
        if (s.configs.latest().majorityIn(s.poll.granted())) {
            campaign(now); // a single-replica cell
            return;
        }
        sendPreVotes(now);
    }

    /** (Re-)asks every peer that has not answered this round yet. */
    void sendPreVotes(long now) {
        s.poll.nextRetry = now + s.cfg.retryMillis();
        for (int r : s.peers()) {
            if (!s.poll.answered(r)) {
                s.out.send(new Message.PreVote(s.self, r, s.poll.ballot, s.poll.fromIndex));
            }
        }
    }

    /**
     * A majority granted: campaign (with a ballot above every promise the answers reported). A
     * majority refused, so none can grant this round: give up, and try again after a backoff that
     * starts at the retry period (the refusals may lapse within ms when the master just died) and
     * doubles up to L (they do not when a master we cannot hear is alive).
     */
    void onPreVoteReply(Message.PreVoteReply r, long now) {
        s.lastNow = now;
        s.maxRound = Math.max(s.maxRound, r.promised().round());
        if (s.poll == null || !r.ballot().equals(s.poll.ballot)) {
            return;
        }
        Configuration latest = s.configs.latest();
        if (r.granted()) {
            s.poll.grant(r.from());
            if (latest.majorityIn(s.poll.granted())) {
                campaign(now);
            }
        } else {
            s.poll.refuse(r.from());
            if (!latest.majorityIn(notRefused(latest))) {
                pollFailed(now);
            }
        }
    }

    /** Members of {@code c} that have not refused this round (they might still grant). */
    private java.util.Set<Integer> notRefused(Configuration c) {
        java.util.Set<Integer> out = new java.util.TreeSet<>(c.members());
        out.removeAll(s.poll.refused());
        return out;
    }

    /** Ends the pre-vote round without a majority; the next one starts after a growing backoff. */
    void pollFailed(long now) {
        s.poll = null;
        long backoff = Math.min(s.cfg.leaseMillis(), s.cfg.retryMillis() << Math.min(s.failedPolls, 20));
        s.failedPolls++;
        s.electionAt = now + backoff + s.jitter();
    }

    /**
     * Phase 1 for every slot above our commit index, with a ballot above any we have seen. Only
     * after a successful pre-vote, or as a master whose valid lease proves no other master exists.
     */
    void campaign(long now) {
        s.poll = null;
        s.joinElection(s.self, now, s.cfg.leaseMillis() / 2);
        Ballot b = new Ballot(Math.max(s.maxRound, s.promised.round()) + 1, s.self);
        s.maxRound = b.round();
        s.promised = b;
        s.out.promise(b);
        s.role = Role.CANDIDATE;
        s.masterId = 0;
        long from = s.commitIndex + 1;
        s.leader = new Leader(s.cfg, s.configs, b, from, now);
        List<Entry> mine = new ArrayList<>();
        for (long i = from; i <= s.log.lastIndex(); i++) {
            Entry e = s.log.entry(i);
            if (e != null) {
                mine.add(e);
            }
        }
        s.leader.promised(new Message.Promise(s.self, s.self, b, from, mine, s.commitIndex, now));
        sendPrepares(now);
    }

    void sendPrepares(long now) {
        s.leader.nextRetry = now + s.cfg.retryMillis();
        java.util.Set<Integer> to = new java.util.TreeSet<>(s.peers());
        to.addAll(s.leader.voters());
        to.remove(s.self);
        for (int r : to) {
            if (!s.leader.hasPromised(r)) {
                s.out.send(new Message.Prepare(s.self, r, s.leader.ballot, s.leader.fromIndex, now));
            }
        }
        if (s.leader.promised(new Message.Promise(s.self, s.self, s.leader.ballot, -1, List.of(), s.commitIndex, now))) {
            becomeMaster(now); // single-replica cell
        }
    }

    void onPromise(Message.Promise p, long now) {
        s.lastNow = now;
        if (s.leader == null || !p.ballot().equals(s.leader.ballot)) {
            return;
        }
        if (s.leader.promised(p) && s.role == Role.CANDIDATE) {
            becomeMaster(now);
        }
    }

    /** Re-propose what the promises reported, fill holes with no-ops, append the barrier. */
    private void becomeMaster(long now) {
        s.role = Role.MASTER;
        s.masterId = s.self;
        s.masterBallot = s.leader.ballot;
        long last = s.leader.fromIndex - 1;
        for (Entry e : s.leader.proposals()) {
            s.put(e);
            s.out.accept(e);
            last = e.index();
        }
        java.util.Set<Integer> replicas = new java.util.TreeSet<>(s.peers()); // MASTER: learners included
        replicas.add(s.self);
        s.leader.startPhase2(last, replicas, now);
        s.leader.pinned = now <= s.pinnedUntil;
        s.pinnedUntil = Long.MIN_VALUE;
        s.leader.progress(s.self).match = last;
        advanceMasterCommit();
        heartbeat(now); // the lease starts with the first acknowledged heartbeat
    }

    void onAccepted(Message.Accepted a, long now) {
        s.lastNow = now;
        if (s.role != Role.MASTER || !a.ballot().equals(s.leader.ballot)) {
            return;
        }
        Leader.Progress p = s.leader.progress(a.from());
        if (p == null) {
            return; // a replica we no longer replicate to (removed from every configuration)
        }
        p.ack(a.firstIndex(), a.lastIndex());
        floorMatch(p, a.commitIndex());
        advanceMasterCommit();
        completeHandoff(now);
    }

    /**
     * A handoff runs and its target acknowledged every entry of our log (so its phase 1 finds
     * them all): tell it to campaign, release every other acceptor, and step down. We stopped
     * serving when the handoff began, so no acceptor is released while we serve.
     */
    void completeHandoff(long now) {
        if (s.role != Role.MASTER || s.leader.handoffTo == 0) {
            return;
        }
        int target = s.leader.handoffTo;
        Leader.Progress p = s.leader.progress(target);
        // match counts the slots below our phase 1 range as held (startPhase2 assumes it); only the
        // target's own commit index proves it holds them (simulator seed 553: a target without them).
        if (p.match < s.log.lastIndex() || p.reportedCommit < s.leader.fromIndex - 1) {
            return;
        }
        Ballot b = s.leader.ballot;
        for (int r : s.peers()) {
            if (r == target) {
                s.out.send(new Message.Handoff(s.self, r, b, s.commitIndex, s.leader.handoffPinned));
            } else {
                s.out.send(new Message.LeaseRelease(s.self, r, b));
            }
        }
        s.released = b;
        s.stepDown(now); // releases our own binding to ourselves
        s.joinElection(target, now, s.cfg.leaseMillis() / 2); // we back the target's election
        s.electionAt = now + s.cfg.leaseMillis() + s.jitter();
    }

    void onHeartbeatAck(Message.HeartbeatAck a, long now) {
        s.lastNow = now;
        if (s.leader == null || !a.ballot().equals(s.leader.ballot)) {
            return;
        }
        s.leader.leaseAck(a.from(), a.leaseStamp());
        if (s.role != Role.MASTER) {
            return;
        }
        Leader.Progress p = s.leader.progress(a.from());
        if (p == null) {
            return; // a replica we no longer replicate to
        }
        floorMatch(p, a.commitIndex());
        completeHandoff(now);
        if (s.role != Role.MASTER) {
            return;
        }
        long from = a.commitIndex() + 1;
        // It misses a chosen slot it acknowledged nothing for in this ballot: slots below our phase
        // 1 range, which we assumed it had. (Gaps above match are lost or in-flight Accepts: the
        // stall timer in heartbeat() covers those.) Once per two renew periods per gap, so a slow
        // follower is not flooded with copies of what is already on its way.
        if (a.behind() && from <= p.match
                && (from != p.catchUpFrom || now - p.catchUpAt >= 2 * s.cfg.renewMillis())) {
            p.catchUpFrom = from;
            p.catchUpAt = now;
            p.resendFrom = p.resendFrom == 0 ? from : Math.min(p.resendFrom, from); // sendAccepts rewinds
        }
        advanceMasterCommit();
    }

    /** Slots the follower knows chosen need no vote from it; counting them changes no decision. */
    private void floorMatch(Leader.Progress p, long followerCommit) {
        p.reportedCommit = Math.max(p.reportedCommit, followerCommit);
        long known = Math.min(followerCommit, s.commitIndex);
        if (known > p.match) {
            p.match = known;
            p.pending.headMap(known + 1).clear();
            p.next = Math.max(p.next, known + 1);
        }
    }

    void onNack(Message.Nack n, long now) {
        s.lastNow = now;
        s.maxRound = Math.max(s.maxRound, n.promised().round());
        if (s.leader == null || !n.ballot().equals(s.leader.ballot)) {
            return;
        }
        boolean higher = n.reason() == Message.Nack.HIGHER_BALLOT && n.promised().greaterThan(s.leader.ballot);
        if (higher && s.role == Role.MASTER && s.leaseValid(now)) {
            // A master holding a valid lease knows no other master can exist: the higher ballot is
            // a candidate that cannot win. Re-run phase 1 above it (acceptors bound to us may
            // promise us again) instead of leaving the cell masterless until leases lapse.
            campaign(now);
            return;
        }
        // COMPACTED only says this acceptor cannot promise: a majority of others still can (a
        // master already elected by one is safe). Give up only when no majority is left; the
        // replicas ahead of us campaign soon (simulator seed 5364: a master stepping down on a
        // late COMPACTED refusal, again and again, kept the cell masterless).
        boolean hopeless = n.reason() == Message.Nack.COMPACTED && s.role == Role.CANDIDATE
                && s.leader.compactedRefusal(n.from());
        if (hopeless || higher) {
            s.stepDown(now);
            // Let the proposer that beat us (or the replica ahead of us) finish before trying again.
            s.electionAt = now + s.cfg.leaseMillis() + s.jitter();
        }
    }

    void heartbeat(long now) {
        s.bind(s.self, now);
        s.leader.leaseAck(s.self, now);
        s.leader.nextHeartbeat = s.cfg.nextRenewal(now);
        // Renewals follow a grid, so the first one after phase 2 may come at once: judge progress
        // only over at least half a renew period.
        boolean check = now - s.leader.progressCheckedAt >= s.cfg.renewMillis() / 2;
        if (check) {
            s.leader.progressCheckedAt = now;
        }
        for (var f : s.leader.followers()) {
            Leader.Progress p = f.getValue();
            if (check) {
                if (p.match < s.log.lastIndex() && p.match == p.matchAtLastCheck) {
                    p.next = p.match + 1; // no progress for a renew period: assume loss, re-send
                    p.pending.clear();
                }
                p.matchAtLastCheck = p.match;
            }
            s.out.send(new Message.Heartbeat(s.self, f.getKey(), s.leader.ballot, s.commitIndex, now));
        }
    }

    /** Pipelined, batched phase 2 to one follower, within the in-flight window. */
    void sendAccepts(int to, long now) {
        Leader.Progress p = s.leader.progress(to);
        if (p.resendFrom != 0) {
            p.next = Math.min(p.next, p.resendFrom);
            p.resendFrom = 0;
        }
        long last = s.log.lastIndex();
        long window = (long) s.cfg.maxInflight() * s.cfg.maxBatchEntries();
        while (p.next <= last && p.next - 1 - p.match < window) {
            List<Entry> batch = s.log.range(p.next, last, s.cfg.maxBatchEntries(), s.cfg.maxBatchBytes());
            if (batch.isEmpty()) {
                // Compacted below what it needs: only a snapshot helps (flagged at most once per L).
                if (now - p.snapshotFlaggedAt >= s.cfg.leaseMillis()) {
                    p.snapshotFlaggedAt = now;
                    s.out.needSnapshot(to);
                }
                return;
            }
            List<Entry> stamped = new ArrayList<>(batch.size());
            for (Entry e : batch) {
                // Below our phase 1 range the slots are chosen: proposing the chosen value again
                // in our ballot is safe, and lets the follower recognise it as chosen.
                stamped.add(e.withBallot(s.leader.ballot));
            }
            s.out.send(new Message.Accept(s.self, to, s.leader.ballot, stamped, s.commitIndex));
            p.next += stamped.size();
        }
    }

    boolean unsent() {
        long last = s.log.lastIndex();
        long window = (long) s.cfg.maxInflight() * s.cfg.maxBatchEntries();
        for (var f : s.leader.followers()) {
            Leader.Progress p = f.getValue();
            if (p.resendFrom != 0
                    || (p.next <= last && p.next - 1 - p.match < window && s.log.entry(p.next) != null)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Commits the longest prefix in which every slot was accepted by a majority of the
     * configuration governing it, and every configuration entry by a majority of the new
     * configuration too (CORE-API.md "Changing the members", rule 3).
     */
    void advanceMasterCommit() {
        long c = s.commitIndex;
        Configuration governing = s.configs.governing(c + 1);
        while (true) {
            java.util.Map.Entry<Long, Configuration> next = s.configs.above().higherEntry(c);
            long q = s.leader.quorumMatch(governing);
            if (next == null) {
                c = Math.max(c, q);
                break;
            }
            long j = next.getKey();
            if (q < j || s.leader.quorumMatch(next.getValue()) < j) {
                c = Math.max(c, Math.min(q, j - 1));
                break;
            }
            c = j;
            governing = next.getValue();
        }
        boolean changed = s.configs.changing();
        s.commitTo(c);
        if (changed && !s.configs.changing()) {
            configurationCommitted();
        }
    }

    /**
     * The configuration entries of our log are all chosen: stop replicating to replicas in no
     * configuration any more (learners stay), and if we were removed, hand mastership to a
     * caught-up member or step down (rule 7).
     */
    private void configurationCommitted() {
        Configuration now = s.configs.base();
        for (int r : new java.util.ArrayList<>(s.leader.trackedReplicas())) {
            if (!now.contains(r) && !s.learners.contains(r)) {
                s.leader.untrack(r);
            }
        }
        if (!now.contains(s.self)) {
            leaveMastership(s.lastNow);
        }
    }

    /** We are no member any more: hand over to the most caught-up member, or step down. */
    void leaveMastership(long now) {
        if (s.role != Role.MASTER || s.leader.handoffTo != 0) {
            return;
        }
        int target = 0;
        long best = -1;
        for (int r : s.configs.base().members()) {
            Leader.Progress p = s.leader.progress(r);
            if (p != null && p.match > best && now - s.leader.lastAnswered(r) <= 2 * s.cfg.renewMillis()) {
                best = p.match;
                target = r;
            }
        }
        if (target == 0) {
            s.stepDown(now);
            return;
        }
        s.leader.handoffTo = target;
        s.leader.handoffUntil = now + s.cfg.leaseMillis();
        completeHandoff(now);
    }
}
