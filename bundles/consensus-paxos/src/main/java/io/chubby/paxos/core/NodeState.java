package io.chubby.paxos.core;

/**
 * The mutable state of one replica, shared by its {@link Acceptor} and {@link Proposer} halves
 * and read by {@link PaxosNode}'s queries. Owned by the node's thread; never shared.
 */
final class NodeState {
    final PaxosConfig cfg;
    final int self;
    final LogView log;
    final RandomSource random;
    final Outbox out = new Outbox();
    /** The configurations of our log (CORE-API.md "Changing the members"). */
    final Configs configs;
    /** Replicas the master replicates to without counting them (CORE-API.md rule 6). */
    final java.util.Set<Integer> learners = new java.util.TreeSet<>();
    /** A change waits for the entries in flight to commit: {@code propose} refuses until then. */
    long changeRequestedUntil = Long.MIN_VALUE;

    // Acceptor. promised is durable (through Ready); the lease binding is memory only, which is
    // why a restarted replica binds itself to nobody-at-all for a full L (constructor).
    Ballot promised;
    int boundTo;
    long boundUntil;
    /** A ballot whose master released our lease promise (handoff): its messages bind us no more. */
    Ballot released = Ballot.ZERO;
    /** A pinned {@link Message.Handoff} to us arrived: a mastership won before this is pinned. */
    long pinnedUntil = Long.MIN_VALUE;

    // Learner: every slot <= commitIndex is chosen and our copy (or snapshot) holds the chosen value.
    long commitIndex;
    long applied;
    long handedOut;
    Ballot hintBallot = Ballot.ZERO;
    long hintCommit;

    Role role = Role.FOLLOWER;
    int masterId;
    Ballot masterBallot = Ballot.ZERO;
    long maxRound;
    long electionAt;
    /**
     * An election under way that we joined: its candidate and until when we give it time, L/2 to
     * finish phase 1 once we promised it (or campaigned), one retry period to send its Prepare once
     * we granted its pre-vote. We grant no other pre-vote meanwhile.
     */
    int electionOf;
    long electionUntil = Long.MIN_VALUE;
    /** The pre-vote round of a FOLLOWER whose lease promise lapsed; null when none runs. */
    Poll poll;
    /** Pre-vote rounds that failed since we last heard a master (the next waits longer). */
    int failedPolls;
    /** Proposer state of our current ballot; non-null exactly when CANDIDATE or MASTER. */
    Leader leader;
    long lastNow;

    NodeState(PaxosConfig cfg, RecoveredState recovered, LogReader reader, RandomSource random, long now) {
        this.cfg = cfg;
        this.self = cfg.self();
        this.log = new LogView(reader);
        this.random = random;
        this.promised = recovered.promised();
        this.maxRound = promised.round();
        this.commitIndex = recovered.appliedIndex();
        this.applied = commitIndex;
        this.handedOut = commitIndex;
        this.configs = new Configs(recovered.configuration() != null ? recovered.configuration()
                : Configuration.of(cfg.replicas()));
        for (long i = commitIndex + 1; i <= log.lastIndex(); i++) {
            Entry e = log.entry(i);
            if (e != null) {
                configs.written(e, commitIndex);
            }
        }
        this.lastNow = now;
        // We may have answered a master just before crashing and forgotten it: honour that unknown
        // lease promise by refusing every Prepare for L (boundTo = -1 matches nobody).
        bind(-1, now);
    }

    /** Writes {@code e} into the log (handed out in the next Ready) and tracks a configuration it carries. */
    void put(Entry e) {
        log.put(e);
        configs.written(e, commitIndex);
    }

    /** Every slot up to {@code index} is now known chosen. */
    void commitTo(long index) {
        if (index > commitIndex) {
            commitIndex = index;
            configs.committed(index);
        }
    }

    /** Whom we talk to: every member of every configuration in play, and (as master) the learners; not us. */
    java.util.List<Integer> peers() {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>(configs.everyone());
        if (role == Role.MASTER) {
            all.addAll(learners);
        }
        all.remove(self);
        return new java.util.ArrayList<>(all);
    }

    boolean leaseValid(long now) {
        return role == Role.MASTER && now < leader.leaseExpiry();
    }

    void bind(int proposer, long now) {
        boundTo = proposer;
        boundUntil = now + cfg.leaseMillis();
        electionAt = boundUntil + jitter();
    }

    void nack(Message m, int reason) {
        out.send(new Message.Nack(self, m.from(), m.ballot(), promised, reason));
    }

    /** We back {@code candidate} (possibly ourselves) for {@code ms}: no pre-vote for another meanwhile. */
    void joinElection(int candidate, long now, long ms) {
        if (candidate != electionOf) {
            electionUntil = Long.MIN_VALUE;
        }
        electionOf = candidate;
        electionUntil = Math.max(electionUntil, now + ms);
    }

    long jitter() {
        return random.nextLong(cfg.electionJitterMillis());
    }

    Ready.Status currentStatus() {
        return new Ready.Status(role, masterId, masterBallot.epoch());
    }

    /** Back to follower; our own lease binding to ourselves is released (we claim no lease any more). */
    void stepDown(long now) {
        role = Role.FOLLOWER;
        leader = null;
        masterId = masterBallot.greaterThan(promised) ? masterId : 0;
        if (boundTo == self) {
            boundTo = 0;
            boundUntil = now;
        }
        electionAt = Math.max(boundUntil, now) + jitter();
    }
}
