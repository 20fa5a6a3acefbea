package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The acceptor and learner side of a replica: promises, accepts, the lease binding, and learning
 * which slots are chosen. Works on the replica's {@link NodeState}; owned by the node's thread.
 */
final class Acceptor {
    private final NodeState s;

    Acceptor(NodeState s) {
        this.s = s;
    }

    /**
     * Phase 1b plus the lease rule: never promise a proposer other than the one we are bound to
     * until our lease promise lapsed (CONSENSUS.md "Master lease"), never a lower ballot, and
     * never when we cannot report chosen slots the candidate lacks.
     */
    void onPrepare(Message.Prepare p, long now) {
        s.lastNow = now;
        Ballot b = p.ballot();
        if (b.compareTo(s.promised) < 0) {
            s.nack(p, Message.Nack.HIGHER_BALLOT);
            return;
        }
        // A master re-running phase 1 (Proposer.onNack) is still bound to itself from its
        // heartbeats, but it dropped its lease when it started the new ballot: it yields to a
        // higher ballot instead of holding its own vote (a livelock the simulator found: seed 3039).
        boolean ownCandidacy = s.boundTo == s.self && s.role == Role.CANDIDATE;
        if (b.greaterThan(s.promised) && now < s.boundUntil && s.boundTo != p.from() && !ownCandidacy) {
            s.nack(p, Message.Nack.LEASE_HELD);
            return;
        }
        if (p.fromIndex() <= s.commitIndex && s.log.entry(p.fromIndex()) == null) {
            // Our log was compacted (or replaced by a snapshot) past what the candidate lacks: it
            // would fill chosen slots with no-ops. Refuse, and campaign ourselves soon.
            s.nack(p, Message.Nack.COMPACTED);
            s.electionAt = Math.min(s.electionAt, Math.max(now, s.boundUntil) + s.jitter());
            return;
        }
        if (b.greaterThan(s.promised)) {
            s.promised = b;
            s.out.promise(b);
            if (s.role != Role.FOLLOWER) {
                s.stepDown(now);
            }
            s.masterId = 0;
            s.poll = null; // a candidate is running phase 1: let it finish (timer below)
        }
        // A promise does not bind our lease promise: only a master's Accept or Heartbeat does, and
        // only those stamps count for its lease. Binding to candidates let abandoned candidacies
        // hold acceptors for L each, a livelock the simulator found (seed 18, 2 ms ticks). Give
        // the candidate time to finish phase 1 before we campaign ourselves.
        s.electionAt = Math.max(s.electionAt, now + s.cfg.leaseMillis() / 2 + s.jitter());
        s.joinElection(p.from(), now, s.cfg.leaseMillis() / 2);
        List<Entry> acc = new ArrayList<>();
        long last = s.log.lastIndex();
        for (long i = p.fromIndex(); i <= last; i++) {
            Entry e = s.log.entry(i);
            if (e != null) {
                acc.add(e);
            }
        }
        s.out.send(new Message.Promise(s.self, p.from(), b, p.fromIndex(), acc, s.commitIndex, p.leaseStamp()));
    }

    /**
     * Pre-vote: grant iff we would promise the asker a higher ballot right now under the rules of
     * {@link #onPrepare} (our lease promise lapsed or is to the asker; our log holds the slots it
     * lacks) and we back no other election (we promised another candidate or campaigned within
     * L/2, granted another's pre-vote within a retry period, or poll ourselves: two elections at
     * once only defeat each other). Changes no acceptor state: nothing promised or persisted, no
     * timer moved (CORE-API.md "When may a replica start an election"); a grant only keeps us from
     * granting another asker for a retry period. Our promised ballot goes back so that the asker
     * can campaign above it.
     */
    void onPreVote(Message.PreVote p, long now) {
        s.lastNow = now;
        boolean ownCandidacy = s.boundTo == s.self && s.role == Role.CANDIDATE;
        int refusal = 0;
        if (now < s.boundUntil && s.boundTo != p.from() && !ownCandidacy) {
            refusal = Message.Nack.LEASE_HELD;
        } else if ((now < s.electionUntil && s.electionOf != p.from())
                || (s.poll != null && s.poll.ballot.greaterThan(p.ballot()))) {
            // We back another candidate, or poll ourselves for a higher ballot: one election at a time.
            refusal = Message.Nack.IN_ELECTION;
        } else if (p.fromIndex() <= s.commitIndex && s.log.entry(p.fromIndex()) == null) {
            refusal = Message.Nack.COMPACTED;
            // As for a Prepare: the asker cannot become master through us; one ahead of it must.
            s.electionAt = Math.min(s.electionAt, Math.max(now, s.boundUntil) + s.jitter());
        }
        if (refusal == 0) {
            // One election at a time: we back the asker, so we neither grant another asker nor
            // poll ourselves for a retry period (a poll of ours for a lower ballot ends here).
            s.joinElection(p.from(), now, s.cfg.retryMillis());
            s.poll = null;
            s.electionAt = Math.max(s.electionAt, s.electionUntil + s.jitter());
        }
        s.out.send(new Message.PreVoteReply(s.self, p.from(), p.ballot(), s.promised, refusal == 0, refusal));
    }

    /** Phase 2b: accept in any ballot at least the promised one; answer only after persisting (Ready order). */
    void onAccept(Message.Accept a, long now) {
        s.lastNow = now;
        if (a.ballot().compareTo(s.promised) < 0) {
            s.nack(a, Message.Nack.HIGHER_BALLOT);
            return;
        }
        observeMaster(a.ballot(), a.from(), now);
        if (a.entries().isEmpty()) {
            return;
        }
        for (Entry e : a.entries()) {
            // Slots we know chosen keep their value: the proposal can only carry the same value.
            if (e.index() > s.commitIndex) {
                Entry mine = e.withBallot(a.ballot());
                s.put(mine);
                s.out.accept(mine);
            }
        }
        learnCommit(a.ballot(), a.commitIndex());
        Entry first = a.entries().get(0);
        Entry last = a.entries().get(a.entries().size() - 1);
        s.out.send(new Message.Accepted(s.self, a.from(), a.ballot(), first.index(), last.index(), s.commitIndex));
    }

    void onHeartbeat(Message.Heartbeat h, long now) {
        s.lastNow = now;
        if (h.ballot().compareTo(s.promised) < 0) {
            s.nack(h, Message.Nack.HIGHER_BALLOT);
            return;
        }
        observeMaster(h.ballot(), h.from(), now);
        learnCommit(h.ballot(), h.commitIndex());
        s.out.send(new Message.HeartbeatAck(s.self, h.from(), h.ballot(), h.leaseStamp(), s.commitIndex,
                h.commitIndex() > s.commitIndex));
    }

    /** A master with ballot {@code b >= promised} spoke to us: follow it and bind our lease promise to it. */
    private void observeMaster(Ballot b, int from, long now) {
        if (b.greaterThan(s.promised)) {
            s.promised = b; // accepting in b implies promising b
            s.out.promise(b);
        }
        if (s.leader != null && s.leader.ballot.compareTo(b) < 0) {
            s.stepDown(now);
        }
        if (b.atLeast(s.masterBallot)) {
            s.masterBallot = b;
            s.masterId = from;
        }
        if (!b.equals(s.released)) {
            s.bind(from, now); // a released ballot's late messages bind us no more
            s.poll = null; // we hear a master: no election
            s.failedPolls = 0;
        }
        // A late message of a released ballot (overtaken by its Handoff) must not cancel the
        // election the handoff asked for (simulator seeds 216, 338: a lease's wait instead).
    }

    /**
     * The master of {@code r.ballot()} stopped serving and releases us: drop our lease promise if it
     * is to exactly that ballot and master (a release of any other ballot proves nothing about the
     * one we are bound to).
     */
    void onLeaseRelease(Message.LeaseRelease r, long now) {
        s.lastNow = now;
        if (r.ballot().equals(s.promised) && s.boundTo == r.from() && r.ballot().replica() == r.from()) {
            s.released = r.ballot();
            s.boundTo = 0;
            s.boundUntil = now;
            endBackedElection(r.from());
        }
    }

    /**
     * The master of {@code h.ballot()} hands over to us: as a {@link #onLeaseRelease}, plus we
     * learn its commit index and start our election at once (a pre-vote the released acceptors
     * grant). Ignored unless we are a follower promised to exactly that ballot.
     */
    void onHandoff(Message.Handoff h, long now, Proposer proposer) {
        s.lastNow = now;
        if (!h.ballot().equals(s.promised) || h.ballot().replica() != h.from() || s.role != Role.FOLLOWER) {
            return;
        }
        s.released = h.ballot();
        endBackedElection(h.from());
        if (h.pinned()) {
            s.pinnedUntil = now + 2 * s.cfg.leaseMillis();
        }
        if (s.boundTo == h.from()) {
            s.boundTo = 0;
            s.boundUntil = now;
        }
        learnCommit(h.ballot(), h.commitIndex());
        if (now >= s.boundUntil && s.poll == null) {
            proposer.startPoll(now);
        }
    }

    /**
     * The master that released us is the candidate whose election we backed (it won and now steps
     * down): that election is over, so the target's pre-vote is not refused IN_ELECTION for the
     * rest of L/2 (simulator seed 12: a handoff right after the master's own election).
     */
    private void endBackedElection(int releasingMaster) {
        if (s.electionOf == releasingMaster) {
            s.electionUntil = Long.MIN_VALUE;
        }
    }

    /**
     * Learns "every slot up to {@code commit} is chosen with the value ballot {@code b} proposed".
     * Our copy of such a slot holds the chosen value iff it was accepted in {@code b} or later:
     * any proposal in a ballot above the one that chose the slot carries the chosen value.
     */
    private void learnCommit(Ballot b, long commit) {
        if (b.greaterThan(s.hintBallot)) {
            s.hintBallot = b;
            s.hintCommit = commit;
        } else if (b.equals(s.hintBallot)) {
            s.hintCommit = Math.max(s.hintCommit, commit);
        }
        advanceCommit(b, commit);
        advanceCommit(s.hintBallot, s.hintCommit);
    }

    private void advanceCommit(Ballot b, long commit) {
        while (s.commitIndex < commit) {
            Entry e = s.log.entry(s.commitIndex + 1);
            if (e == null || e.ballot().compareTo(b) < 0) {
                return;
            }
            s.commitTo(s.commitIndex + 1);
        }
    }
}
