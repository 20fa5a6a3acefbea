package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One replica's Multi-Paxos core: acceptor, learner and (when elected) proposer/master with a
 * master lease. Pure: it never reads a clock, sleeps, spawns threads or does I/O; time ({@code now},
 * milliseconds on this replica's local clock, never decreasing) and randomness are passed in.
 *
 * <p><b>Not thread-safe.</b> One thread (the edge's replica loop, or the simulator) owns the node
 * and makes every call. Driving loop: feed {@link #tick}/{@link #step}/{@link #propose}; while
 * {@link #hasReady()}, take {@link #ready()}, carry it out in the order its javadoc gives (persist,
 * send, apply), then {@link #advance}. Between {@code ready()} and {@code advance()} only the
 * query methods may be called. See bundles/consensus-paxos/CORE-API.md.
 */
public final class PaxosNode {
    private final NodeState s;
    private final Acceptor acceptor;
    private final Proposer proposer;
    private Ready.Status reported = new Ready.Status(Role.FOLLOWER, 0, 0);
    private boolean readyOut;

    /**
     * Starts (or restarts) a replica from what its disk holds.
     *
     * @param reader the durable log; the node reads accepted entries through it, never writes
     * @param now    local clock; the node refuses every Prepare until {@code now + L} (see CORE-API.md)
     */
    public PaxosNode(PaxosConfig cfg, RecoveredState recovered, LogReader reader, RandomSource random, long now) {
        this.s = new NodeState(cfg, recovered, reader, random, now);
        this.acceptor = new Acceptor(s);
        this.proposer = new Proposer(s);
    }

    // ---------------------------------------------------------------- inputs

    /** Advances timers: election, Prepare retries, heartbeats/lease renewal and retransmission. */
    public void tick(long now) {
        checkNotReady();
        s.lastNow = now;
        switch (s.role) {
            case FOLLOWER -> {
                // CORE-API.md "When may a replica start an election": our own lease promise must
                // have lapsed, and then a pre-vote must find a majority whose promises lapsed too.
                if (s.poll != null) {
                    if (now - s.poll.startedAt > s.cfg.leaseMillis()) {
                        proposer.pollFailed(now); // too few answers: peers down or unreachable
                    } else if (now >= s.poll.nextRetry) {
                        proposer.sendPreVotes(now);
                    }
                } else if (now >= s.boundUntil && now >= s.electionAt && s.configs.voter(s.self)) {
                    proposer.startPoll(now); // a replica in no configuration never campaigns (rule 4)
                } else if (now >= s.boundUntil && now >= s.electionAt) {
                    s.electionAt = now + s.cfg.leaseMillis(); // not a member (yet): look again later
                }
            }
            case CANDIDATE -> {
                if (now - s.leader.startedAt > 2 * s.cfg.leaseMillis()) {
                    s.stepDown(now); // no majority for a long time: stop binding acceptors, let others try
                } else if (now >= s.leader.nextRetry) {
                    proposer.sendPrepares(now);
                }
            }
            case MASTER -> {
                long validUntil = Math.max(s.leader.leaseExpiry(), s.leader.startedAt + s.cfg.leaseMillis());
                if (now > validUntil + s.cfg.leaseMillis()) {
                    // No majority has answered us for a lease period (we may be deaf: one-way
                    // partition). Stop heartbeating so followers' promises lapse and they elect
                    // a master that can hear them.
                    s.stepDown(now);
                    s.electionAt = now + s.cfg.leaseMillis() + s.jitter();
                } else {
                    if (s.leader.handoffTo != 0 && now >= s.leader.handoffUntil) {
                        s.leader.handoffTo = 0; // the target did not catch up: nothing was released, serve again
                    }
                    if (s.leader.phase2 && !s.configs.changing() && !s.configs.base().contains(s.self)) {
                        proposer.leaveMastership(now); // removed: hand over again, or step down
                        return;
                    }
                    if (now >= s.leader.nextHeartbeat) {
                        proposer.heartbeat(now);
                    }
                }
            }
        }
    }

    /** Handles a message from a peer. Messages not addressed to this replica are ignored. */
    public void step(Message m, long now) {
        checkNotReady();
        s.lastNow = now;
        // Any replica id may speak to us: members come and go (CORE-API.md "Changing the members");
        // what a message may change is decided by the configurations, not by who sent it.
        if (m.to() != s.self || m.from() == s.self || m.from() < 1 || m.from() > 255) {
            return;
        }
        s.maxRound = Math.max(s.maxRound, m.ballot().round());
        // Java 17: no pattern switch; the sealed hierarchy keeps this list complete.
        if (m instanceof Message.Prepare p) {
            acceptor.onPrepare(p, now);
        } else if (m instanceof Message.Promise p) {
            proposer.onPromise(p, now);
        } else if (m instanceof Message.Accept a) {
            acceptor.onAccept(a, now);
        } else if (m instanceof Message.Accepted a) {
            proposer.onAccepted(a, now);
        } else if (m instanceof Message.Heartbeat h) {
            acceptor.onHeartbeat(h, now);
        } else if (m instanceof Message.HeartbeatAck a) {
            proposer.onHeartbeatAck(a, now);
        } else if (m instanceof Message.Nack n) {
            proposer.onNack(n, now);
        } else if (m instanceof Message.PreVote p) {
            acceptor.onPreVote(p, now);
        } else if (m instanceof Message.PreVoteReply r) {
            proposer.onPreVoteReply(r, now);
        } else if (m instanceof Message.LeaseRelease r) {
            acceptor.onLeaseRelease(r, now);
        } else if (m instanceof Message.Handoff h) {
            acceptor.onHandoff(h, now, proposer);
        }
    }

    /**
     * Proposes a command; returns its log index, or -1 when this replica cannot propose now (not
     * master, lease not valid, or its barrier entry not yet applied). An index is no promise: the
     * entry is only chosen if it shows up in {@link Ready#committed} with the same value and epoch.
     */
    public long propose(byte[] value, long now) {
        checkNotReady();
        s.lastNow = now;
        if (!canServe(now) || s.configs.changing() || now < s.changeRequestedUntil
                || Configuration.isConfiguration(value)) {
            return -1; // also while a configuration entry is uncommitted (rule 2); no forged ones
        }
        return append(value);
    }

    private long append(byte[] value) {
        long index = s.log.lastIndex() + 1;
        Entry e = new Entry(index, s.leader.ballot, s.leader.ballot.epoch(), value);
        s.put(e);
        s.out.accept(e);
        s.leader.progress(s.self).match = index;
        proposer.advanceMasterCommit(); // a single-replica cell needs no acknowledgement
        return index;
    }

    /**
     * Proposes a change of members (CORE-API.md "Changing the members"): {@code next} adds or
     * removes exactly one replica to or from the current configuration. Returns the entry's index,
     * or -1 unless this replica serves (so its barrier is applied), no change is under way,
     * {@code next} is one replica apart, a member it adds is {@link #caughtUp}, and the caught-up
     * members (this one included) hold a majority of the current and of the new configuration; -2 when
     * entries are still in flight: then {@link #propose} refuses for a renew period so they can
     * commit, and the caller asks again (next loop pass). Until the entry commits, {@link #propose}
     * returns -1.
     * {@code attachment} (the edge's address book) travels with the entry; the core never reads it.
     * A member being added should first be a caught-up {@link #addLearner learner}.
     */
    public long proposeMembers(Configuration next, byte[] attachment, long now) {
        checkNotReady();
        s.lastNow = now;
        if (!canServe(now) || s.configs.changing() || !s.configs.base().oneApart(next)) {
            return -1;
        }
        // The member added must answer and hold the log, and the caught-up members (this one
        // included) must form a majority of the old and of the new configuration: the entry needs
        // both, so a change is proposed only when it can commit (review, problem 3). A dead member
        // does not block a change that does not need it (replacing the dead member of three).
        java.util.List<Integer> upToDate = new java.util.ArrayList<>();
        for (int r : next.members()) {
            if (r == s.self || caughtUp(r, now)) {
                upToDate.add(r);
            } else if (!s.configs.base().contains(r)) {
                return -1; // the member being added is not caught up
            }
        }
        for (int r : s.configs.base().members()) {
            if (!next.contains(r) && caughtUp(r, now)) {
                upToDate.add(r); // a member being removed that still answers counts for the old majority
            }
        }
        if (!s.configs.base().majorityIn(upToDate) || !next.majorityIn(upToDate)) {
            return -1;
        }
        if (s.commitIndex != s.log.lastIndex()) {
            // Entries in flight: a change proposed above them could outlive a later change and come
            // back on top of it (review, problem 2). Refuse new proposals until they commit.
            s.changeRequestedUntil = now + s.cfg.renewMillis();
            return -2;
        }
        s.changeRequestedUntil = Long.MIN_VALUE;
        s.leader.track(next.members());
        return append(next.encode(attachment));
    }

    /**
     * As master, replicates to {@code replica} from now on without counting it anywhere (a member
     * to be, catching up). Kept across masterships of this replica; false unless master in phase 2.
     */
    public boolean addLearner(int replica, long now) {
        checkNotReady();
        s.lastNow = now;
        if (s.role != Role.MASTER || !s.leader.phase2 || replica == s.self || replica < 1 || replica > 255) {
            return false;
        }
        s.learners.add(replica);
        s.leader.track(java.util.List.of(replica));
        return true;
    }

    /** Stops replicating to a learner that is no member (a member stays until a configuration drops it). */
    public void removeLearner(int replica) {
        checkNotReady();
        s.learners.remove(replica);
        if (s.role == Role.MASTER && !s.configs.everyone().contains(replica)) {
            s.leader.untrack(replica);
        }
    }

    /** The configuration of the highest configuration entry in the log (committed or not), else the base one. */
    public Configuration configuration() {
        return s.configs.latest();
    }

    /** The configuration governing the slot after the commit index: known chosen. */
    public Configuration committedConfiguration() {
        return s.configs.base();
    }

    /** True while a configuration entry above the commit index is in the log. */
    public boolean configurationChanging() {
        return s.configs.changing();
    }

    /**
     * Hands mastership to {@code target} (CORE-API.md "Handing mastership over"): from now on this
     * master serves nothing ({@link #canServe} false, {@link #propose} -1); once {@code target}
     * acknowledged every entry of our log, it sends {@link Message.Handoff} to the target and
     * {@link Message.LeaseRelease} to every other replica and steps down, so the target's
     * election waits for no lease. Given up, and serving resumes, if that does not happen within
     * L. Returns false and changes nothing unless this replica is a master in phase 2, no handoff
     * runs, and {@code target} is another member.
     */
    public boolean handOff(int target, long now) {
        return handOff(target, false, now);
    }

    /**
     * As {@link #handOff(int, long)}; {@code pinned} (an operator's move) makes the target's
     * mastership {@link #pinned()} if it wins within 2L, so the edge's placement does not move it back.
     */
    public boolean handOff(int target, boolean pinned, long now) {
        checkNotReady();
        s.lastNow = now;
        if (s.role != Role.MASTER || !s.leader.phase2 || s.leader.handoffTo != 0 || target == s.self
                || !s.configs.base().contains(target) || !s.configs.latest().contains(target)) {
            return false;
        }
        s.leader.handoffTo = target;
        s.leader.handoffPinned = pinned;
        s.leader.handoffUntil = now + s.cfg.leaseMillis();
        proposer.completeHandoff(now);
        return true;
    }

    /** The replica this master is handing over to, 0 when none. */
    public int handoffTarget() {
        return s.role == Role.MASTER ? s.leader.handoffTo : 0;
    }

    /** Master, and this mastership came from an operator's pinned handoff (see {@link #handOff(int, boolean, long)}). */
    public boolean pinned() {
        return s.role == Role.MASTER && s.leader.pinned;
    }

    /**
     * Master in phase 2, and {@code replica} (another member) answered a request sent within the
     * last two renew periods, reported holding every slot chosen before this mastership, and has
     * accepted or learned every chosen slot but at most one batch:
     * a handoff to it would complete within a round trip or two. False on a follower.
     */
    public boolean caughtUp(int replica, long now) {
        if (s.role != Role.MASTER || !s.leader.phase2 || replica == s.self || s.leader.progress(replica) == null) {
            return false;
        }
        long answered = s.leader.lastAnswered(replica);
        return answered != Long.MIN_VALUE // never answered (now - MIN would overflow to "recently")
                && now - answered <= 2 * s.cfg.renewMillis()
                && s.leader.progress(replica).match + s.cfg.maxBatchEntries() >= s.commitIndex
                && s.leader.progress(replica).reportedCommit >= s.leader.fromIndex - 1;
    }

    /**
     * The edge installed a durable snapshot of the state machine at {@code index} and deleted every
     * log entry at or below it. Call only between {@code advance} and the next {@code ready}.
     */
    public void snapshotInstalled(long index) {
        snapshotInstalled(index, null);
    }

    /**
     * As {@link #snapshotInstalled(long)}, with the configuration the snapshot recorded (the one
     * governing slot {@code index + 1}); null when the snapshot predates membership changes.
     */
    public void snapshotInstalled(long index, Configuration configuration) {
        checkNotReady();
        s.commitTo(index);
        s.configs.snapshot(index, configuration);
        s.applied = Math.max(s.applied, index);
        s.handedOut = Math.max(s.handedOut, index);
    }

    // ---------------------------------------------------------------- outputs

    /** True when {@link #ready()} has work: writes, messages, entries to apply or a status change. */
    public boolean hasReady() {
        return !s.out.isEmpty() || (s.handedOut < s.commitIndex && s.log.entry(s.handedOut + 1) != null)
                || (s.role == Role.MASTER && proposer.unsent())
                || !s.currentStatus().equals(reported);
    }

    /** The next batch of work; must be followed by {@link #advance} with the same object. */
    public Ready ready() {
        checkNotReady();
        if (s.role == Role.MASTER) {
            for (var f : s.leader.followers()) {
                proposer.sendAccepts(f.getKey(), s.lastNow);
            }
        }
        List<Entry> committed = new ArrayList<>();
        for (long i = s.handedOut + 1; i <= s.commitIndex && committed.size() < 4 * s.cfg.maxBatchEntries(); i++) {
            Entry e = s.log.entry(i);
            if (e == null) {
                break; // cannot happen while the edge keeps entries above its snapshot point
            }
            committed.add(e);
            s.handedOut = i;
        }
        Ready.Status status = s.currentStatus();
        Ready r = s.out.drain(committed, status.equals(reported) ? null : status);
        reported = status;
        readyOut = true;
        return r;
    }

    /** The edge carried out {@code r}: its writes are durable, messages sent, entries applied. */
    public void advance(Ready r) {
        s.log.persisted(r.entries());
        if (!r.committed().isEmpty()) {
            s.applied = Math.max(s.applied, r.committed().get(r.committed().size() - 1).index());
        }
        readyOut = false;
    }

    // ---------------------------------------------------------------- queries

    /**
     * The earliest {@code now} at which {@link #tick} can do anything: before it a tick changes
     * nothing, so an edge hosting many groups ticks a group only once its deadline passed and lets
     * idle groups sleep. Exact for the current state; any {@link #step}, {@link #propose} or
     * {@link #tick} may move it, so ask again after them. Never {@code Long.MAX_VALUE}: every role
     * has a timer (a follower's election timer, a candidate's retry, a master's renewal).
     */
    public long nextDeadlineMillis() {
        switch (s.role) {
            case FOLLOWER -> {
                if (s.poll != null) {
                    return Math.min(s.poll.startedAt + s.cfg.leaseMillis() + 1, s.poll.nextRetry);
                }
                return Math.max(s.boundUntil, s.electionAt);
            }
            case CANDIDATE -> {
                return Math.min(s.leader.startedAt + 2 * s.cfg.leaseMillis() + 1, s.leader.nextRetry);
            }
            default -> {
                long validUntil = Math.max(s.leader.leaseExpiry(), s.leader.startedAt + s.cfg.leaseMillis());
                long next = Math.min(validUntil + s.cfg.leaseMillis() + 1, s.leader.nextHeartbeat);
                return s.leader.handoffTo != 0 ? Math.min(next, s.leader.handoffUntil) : next;
            }
        }
    }

    /** This replica's role now. */
    public Role role() {
        return s.role;
    }

    /** The master this replica follows (itself when master), 0 when unknown. */
    public int masterId() {
        return s.masterId;
    }

    /**
     * Whether the master this replica names is live as far as it knows: as master, its lease is
     * valid; as a follower, its lease promise to that master runs (it heard from it within a lease).
     * A follower that lost every link keeps naming its last master (so a NOT_MASTER still has a
     * hint), but is not bound to it any more.
     */
    public boolean masterLive(long now) {
        return s.role == Role.MASTER ? s.leaseValid(now)
                : s.role == Role.FOLLOWER && s.masterId != 0 && s.boundTo == s.masterId && now < s.boundUntil;
    }

    /** Epoch of the newest master this replica knows, 0 when none; never decreases. */
    public long epoch() {
        return s.masterBallot.epoch();
    }

    /** The highest ballot this acceptor promised (durable once the Ready carrying it was persisted). */
    public Ballot promised() {
        return s.promised;
    }

    /** True while master and a majority is bound to this master (lease counted from send time). */
    public boolean leaseValid(long now) {
        return s.leaseValid(now);
    }

    /** Master, lease valid, and everything chosen before its leadership (and its barrier) applied. */
    public boolean canServe(long now) {
        return leaseValid(now) && s.leader.phase2 && s.applied >= s.leader.barrierIndex && s.leader.handoffTo == 0
                && s.configs.latest().contains(s.self);
    }

    /** Every slot up to here is known chosen and held locally (or in the installed snapshot). */
    public long commitIndex() {
        return s.commitIndex;
    }

    /** Last index handed out in {@link Ready#committed} and advanced (or the installed snapshot's). */
    public long appliedIndex() {
        return s.applied;
    }

    /** Highest index in this replica's log (accepted, not necessarily chosen). */
    public long lastIndex() {
        return s.log.lastIndex();
    }

    private void checkNotReady() {
        if (readyOut) {
            throw new IllegalStateException("advance() the last Ready first");
        }
    }
}
