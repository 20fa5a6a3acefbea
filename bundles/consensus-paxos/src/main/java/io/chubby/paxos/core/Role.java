package io.chubby.paxos.core;

/** What a replica currently is in the protocol. */
public enum Role {
    /** Accepts from the master it knows (if any); may campaign when the master's lease has lapsed. */
    FOLLOWER,
    /** Running phase 1 with its own ballot. */
    CANDIDATE,
    /** Finished phase 1; proposes (serves only while {@link PaxosNode#canServe} holds). */
    MASTER
}
