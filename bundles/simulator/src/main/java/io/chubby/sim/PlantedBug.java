package io.chubby.sim;

import io.chubby.cell.internal.state.PlantedBugs;

/**
 * The deliberate bugs the whole-cell simulation must catch (its self-test, {@code PlantedBugsTest},
 * switches each on for a run of seeds). Nine live in session-mgr behind
 * {@link PlantedBugs} flags; two in the consensus edge the cell sees ({@link SimConsensus}); two in
 * the simulated client, to show the client-side checks see a client that breaks the rules.
 */
public enum PlantedBug {
    NONE,
    /** The cell grants a lock while the lock-delay of a holder whose session ended is running. */
    GRANT_DURING_LOCK_DELAY,
    /** CheckSequencer (and fencing) accept a sequencer of an older lock generation. */
    SEQUENCER_ACCEPTS_OLDER_GENERATION,
    /** An ephemeral node stays when the last handle on it closes or its session ends. */
    EPHEMERAL_OUTLIVES_SESSIONS,
    /** The master proposes a write without waiting for the invalidation of cached copies. */
    WRITES_SKIP_INVALIDATION,
    /**
     * The master before issue 25: a session that never acknowledges keeps its lease extended and its
     * cache claims, so every write to a file it read waits for it as long as it lives.
     */
    HOLDERS_KEEP_THEIR_CLAIMS,
    /** The apply ignores a command's ACL guard: a write admitted on an ACL that changed before its apply lands. */
    GUARDS_IGNORED,
    /**
     * A new master stops waiting for sessions that have not acknowledged its failover once its
     * takeover settles, ignoring the lease ceiling (what an earlier master may have promised them).
     */
    FAILOVER_WAITS_FOR_NOBODY,

    /** The master serves while its Paxos role is master, whether or not its lease is valid. */
    READS_FROM_LAPSED_LEASE,
    /**
     * The master serves as soon as its lease is valid, before the barrier of its epoch is applied
     * (in the consensus edge) and before its takeover is settled (in the cell edge).
     */
    SKIP_THE_BARRIER,
    /** The client keeps its cache when told the master failed over. */
    CLIENT_KEEPS_CACHE_AFTER_FAILOVER,
    /** The client never stops trusting its session when its local lease runs out (no jeopardy). */
    CLIENT_IGNORES_ITS_LEASE,
    /** H seals a directory's anchor although it holds children of it (the directory's delete orphans them). */
    SEAL_IGNORES_CHILDREN,
    /** H admits a create under a SEALED anchor (a child appears in a directory being deleted). */
    CREATE_IGNORES_SEAL,
    /**
     * A group other than A skips applying a pending ACL copy: A's write of the ACL file goes ahead
     * while the group still admits calls decided on its old copy.
     */
    ACL_COPY_SKIPPED;

    /** Switches the session-mgr flags for this bug (all others off). */
    void arm() {
        PlantedBugs.reset();
        switch (this) {
            case GRANT_DURING_LOCK_DELAY -> PlantedBugs.grantDuringLockDelay = true;
            case SEQUENCER_ACCEPTS_OLDER_GENERATION -> PlantedBugs.sequencerAcceptsOlderGeneration = true;
            case EPHEMERAL_OUTLIVES_SESSIONS -> PlantedBugs.ephemeralsOutliveTheirSessions = true;
            case WRITES_SKIP_INVALIDATION -> PlantedBugs.writesSkipInvalidation = true;
            case SKIP_THE_BARRIER -> PlantedBugs.serveBeforeSettled = true;
            case HOLDERS_KEEP_THEIR_CLAIMS -> PlantedBugs.holdersKeepTheirClaims = true;
            case GUARDS_IGNORED -> PlantedBugs.guardsIgnored = true;
            case FAILOVER_WAITS_FOR_NOBODY -> PlantedBugs.failoverWaitsForNobody = true;
            case SEAL_IGNORES_CHILDREN -> PlantedBugs.sealIgnoresChildren = true;
            case CREATE_IGNORES_SEAL -> PlantedBugs.createIgnoresSeal = true;
            case ACL_COPY_SKIPPED -> PlantedBugs.aclCopySkipped = true;
            default -> { }
        }
    }

    static void disarm() {
        PlantedBugs.reset();
    }
}
