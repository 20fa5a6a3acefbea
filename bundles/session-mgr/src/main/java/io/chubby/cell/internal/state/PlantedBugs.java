package io.chubby.cell.internal.state;

/**
 * Deliberate bugs, off unless a test turns one on: the whole-cell simulator's self-test
 * (bundles/simulator {@code PlantedBugsTest}) switches each on in turn and requires its checks to
 * catch it within the CI seeds, which proves the checks can see what they claim to (the list and
 * what catches each is in bundles/simulator/README.md). Nothing in a server writes these; each
 * costs one volatile read where it is consulted. FoundationDB's BUGGIFY is the model.
 */
public final class PlantedBugs {
    /** LockApplier grants a waiting or new request although the lock's lock-delay is still running. */
    public static volatile boolean grantDuringLockDelay;
    /** LockTable calls a sequencer valid when its generation is older than the lock's. */
    public static volatile boolean sequencerAcceptsOlderGeneration;
    /** Closing the last handle of an ephemeral node (or ending its session) leaves the node. */
    public static volatile boolean ephemeralsOutliveTheirSessions;
    /** The master edge serves before its takeover's settling entry is applied. */
    public static volatile boolean serveBeforeSettled;
    /** A write is proposed without waiting for the invalidation of clients' caches (master edge). */
    public static volatile boolean writesSkipInvalidation;
    /**
     * The master as before issue 25: a session that owes an acknowledgement has its lease extended
     * as usual and never loses its cache claims, so writes wait for it as long as it lives.
     */
    public static volatile boolean holdersKeepTheirClaims;
    /** Applier applies a guarded command without comparing the ACL file versions it names. */
    public static volatile boolean guardsIgnored;
    /**
     * A new master stops waiting for sessions that have not acknowledged its failover as soon as its
     * takeover settles, as if no earlier master's lease promise could still run (the lease ceiling's wait skipped).
     */
    public static volatile boolean failoverWaitsForNobody;

    private PlantedBugs() {
    }

    /** Turns every planted bug off. */
    /** H seals a directory's anchor although it holds children of it (an orphan child follows the delete). */
    public static volatile boolean sealIgnoresChildren;
    /** H admits a create under a SEALED anchor (a child appears in a directory being deleted). */
    public static volatile boolean createIgnoresSeal;
    /** A group other than A skips applying a pending ACL copy (guards decided on the old ACL still apply). */
    public static volatile boolean aclCopySkipped;

    public static void reset() {
        grantDuringLockDelay = false;
        sequencerAcceptsOlderGeneration = false;
        ephemeralsOutliveTheirSessions = false;
        writesSkipInvalidation = false;
        serveBeforeSettled = false;
        holdersKeepTheirClaims = false;
        guardsIgnored = false;
        failoverWaitsForNobody = false;
        sealIgnoresChildren = false;
        createIgnoresSeal = false;
        aclCopySkipped = false;
    }
}
