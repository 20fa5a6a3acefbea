package io.chubby.paxos.core;

import java.util.List;

/**
 * A peer message of the core. Immutable; fields are only primitives, {@link Ballot},
 * {@link Entry} and lists of those, so the edge can map each one to a protobuf message. Any
 * message may be lost, duplicated, delayed or reordered: the core tolerates all of it.
 *
 * <p>{@code leaseStamp} fields carry the sender's local time when it sent the request; the
 * acceptor echoes it and never interprets it. The master counts its lease from the stamps of
 * acknowledged {@link Heartbeat}s (CONSENSUS.md, "Master lease"); the Prepare/Promise stamp is
 * echoed but not counted, because a promise to a candidate does not bind the acceptor.
 */
public sealed interface Message {

    /** Sending replica. */
    int from();

    /** Destination replica. */
    int to();

    /** The ballot the message is about. */
    Ballot ballot();

    /**
     * Whether this message answers a peer ({@link Promise}, {@link Accepted}, {@link HeartbeatAck},
     * {@link Nack}, {@link PreVoteReply}). An answer states the sender's acceptor state, so it may
     * leave only after the {@link Ready} that produced it is persisted. The others are a proposer's
     * requests ({@link Prepare}, {@link Accept}, {@link Heartbeat}, {@link PreVote}); the edge may
     * send those before persisting the same Ready, so the master's own fsync overlaps the
     * followers' (see {@link Ready}).
     */
    default boolean answersPeer() {
        return this instanceof Promise || this instanceof Accepted || this instanceof HeartbeatAck
                || this instanceof Nack || this instanceof PreVoteReply;
    }

    /**
     * Pre-vote: "would you promise {@code ballot} for every slot from {@code fromIndex} if I asked
     * now?" A follower whose lease promise lapsed asks this of every peer before it raises any
     * ballot; it campaigns only if a majority (itself included) grants. Neither side changes any
     * state: nothing is promised, persisted or reset. See CORE-API.md "When may a replica start an
     * election".
     */
    record PreVote(int from, int to, Ballot ballot, long fromIndex) implements Message {
    }

    /**
     * Answer to a {@link PreVote}: {@code granted} when the acceptor would promise the asker now
     * (its own lease promise lapsed, or is to the asker, no other election it joined is still in
     * phase 1, and its log holds what the asker lacks);
     * otherwise {@code reason} says why ({@link Nack#LEASE_HELD}, {@link Nack#IN_ELECTION} or
     * {@link Nack#COMPACTED}; 0 when granted). {@code promised} is the acceptor's promised ballot, so the asker can campaign above it.
     */
    record PreVoteReply(int from, int to, Ballot ballot, Ballot promised, boolean granted, int reason)
            implements Message {
    }

    /** Phase 1a: candidate asks for a promise on every slot from {@code fromIndex} upward. */
    record Prepare(int from, int to, Ballot ballot, long fromIndex, long leaseStamp) implements Message {
    }

    /**
     * Phase 1b: the acceptor promised {@code ballot}; {@code entries} are all its accepted entries
     * with index {@code >= fromIndex} (with the ballot each was accepted in).
     */
    record Promise(int from, int to, Ballot ballot, long fromIndex, List<Entry> entries, long commitIndex,
                   long leaseStamp) implements Message {
        public Promise {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Phase 2a: the master proposes {@code entries} (contiguous, ascending, each stamped with
     * {@code ballot}) and tells that every slot up to {@code commitIndex} is chosen.
     */
    record Accept(int from, int to, Ballot ballot, List<Entry> entries, long commitIndex) implements Message {
        public Accept {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Phase 2b: the acceptor durably accepted every slot in {@code [firstIndex, lastIndex]} in
     * {@code ballot}. {@code commitIndex} is how far it knows the chosen log (a catch-up hint).
     */
    record Accepted(int from, int to, Ballot ballot, long firstIndex, long lastIndex, long commitIndex)
            implements Message {
    }

    /** The master's lease renewal and commit announcement, every renew period. */
    record Heartbeat(int from, int to, Ballot ballot, long commitIndex, long leaseStamp) implements Message {
    }

    /**
     * Answer to a {@link Heartbeat}: the acceptor is bound to the master until its lease promise
     * lapses. {@code commitIndex} is how far it knows the chosen log; {@code behind} says it knows
     * more slots are chosen than it has locally (the master then re-sends from {@code commitIndex+1}).
     */
    record HeartbeatAck(int from, int to, Ballot ballot, long leaseStamp, long commitIndex, boolean behind)
            implements Message {
    }

    /**
     * Planned handoff (CORE-API.md "Handing mastership over"): the master of {@code ballot}
     * stopped serving, {@code to} holds every entry it accepted, and it released its lease; the
     * receiver, if still promised to {@code ballot}, drops its own lease promise and campaigns at
     * once. {@code commitIndex}: how far the log is chosen. {@code pinned}: an operator placed
     * mastership on {@code to}; if it wins within 2L it is master {@link PaxosNode#pinned pinned}.
     */
    record Handoff(int from, int to, Ballot ballot, long commitIndex, boolean pinned) implements Message {
    }

    /**
     * The master of {@code ballot} stopped serving for good and releases the receiver's lease
     * promise to it: an acceptor still promised to exactly that ballot and bound to its sender
     * drops the binding (and binds to that ballot no more), so a successor needs no lease wait.
     * Any other ballot's release is ignored.
     */
    record LeaseRelease(int from, int to, Ballot ballot) implements Message {
    }

    /**
     * Refusal of {@code ballot}. {@code promised} is the acceptor's promised ballot; {@code reason}
     * is one of {@link #HIGHER_BALLOT}, {@link #LEASE_HELD}, {@link #COMPACTED}
     * ({@link #IN_ELECTION} only in a {@link PreVoteReply}).
     */
    record Nack(int from, int to, Ballot ballot, Ballot promised, int reason) implements Message {
        /** The acceptor promised a higher ballot. */
        public static final int HIGHER_BALLOT = 1;
        /** The acceptor's lease promise to another proposer has not lapsed yet (retry later). */
        public static final int LEASE_HELD = 2;
        /** The acceptor's log was compacted past {@code fromIndex}: the candidate is too far behind. */
        public static final int COMPACTED = 3;
        /**
         * Pre-vote refusals only ({@link PreVoteReply#reason}): the acceptor promised another
         * candidate (or campaigned itself) within L/2, so an election is under way.
         */
        public static final int IN_ELECTION = 4;
    }
}
