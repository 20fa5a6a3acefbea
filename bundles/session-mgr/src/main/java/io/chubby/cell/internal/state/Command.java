package io.chubby.cell.internal.state;

import io.chubby.api.CreateMode;
import java.util.List;

/**
 * Entries of the cell's replicated log. Every time a command needs (creation and modification
 * times) is chosen by the master edge and carried inside the command, so apply stays
 * deterministic. Encoded by {@link CommandCodec}.
 */
public sealed interface Command {

    /** Does nothing; a master may propose it to learn the commit point. */
    record Noop() implements Command {
    }

    /**
     * Initialises one Paxos group's state, once: the cell secret and the group number; group 0's
     * also creates the root directory. Group 0's secret is random bytes from its first master;
     * the first master of group g >= 1 proposes the same secret, read from group 0 (one secret
     * for the cell: docs/PARTITIONING.md section 2). Applying it to the state of another group
     * than {@code group} is refused.
     */
    record InitCell(byte[] secret, long nowMillis, int group) implements Command {
        public InitCell {
            if (group < 0) {
                throw new IllegalArgumentException("group " + group + " is negative");
            }
        }

        /** Group 0's InitCell (every entry written before the cell had groups). */
        public InitCell(byte[] secret, long nowMillis) {
            this(secret, nowMillis, 0);
        }
    }

    /**
     * Records in group 0 how the cell is partitioned: {@code partitions} groups, directories
     * hashed with {@code hashName} to {@code slots} slots (docs/PARTITIONING.md section 5). Applied
     * only while the cell holds nothing but its root and no session, and only once: a different
     * record later is refused (re-partitioning is not supported); the same one again is a no-op.
     */
    record SetPartitions(int partitions, String hashName, int slots) implements Command {
    }

    /**
     * Records the longest session lease a master may promise a client from now on (the lease
     * ceiling, ms): a new master waits at most this long (from its takeover) for a session that does
     * not acknowledge its failover event, since the client's cache is unusable once the lease it was
     * promised has run out (SessionLeases, CORE-API of the cell: "Lease ceiling"). Raised by a master
     * before it promises longer leases; lowered only when no promise longer than it can still be
     * running. Proposed only once every member applies it (peer 1.4).
     */
    record SetLeaseCeiling(long millis) implements Command {
        public SetLeaseCeiling {
            if (millis <= 0) {
                throw new IllegalArgumentException("lease ceiling " + millis + " ms is not positive");
            }
        }
    }

    /**
     * Creates one session per client name (a batch of creations is one entry); ids in order. Each
     * session belongs to the principal at the same position (the name its connection authenticated
     * as); only connections of that principal may use it.
     */
    record CreateSessions(List<String> clientNames, List<String> principals, long nowMillis) implements Command {
        public CreateSessions {
            clientNames = List.copyOf(clientNames);
            principals = List.copyOf(principals);
            if (principals.size() != clientNames.size()) {
                throw new IllegalArgumentException("one principal per session");
            }
        }

        /** Sessions of the anonymous principal (entries written before sessions had principals). */
        public CreateSessions(List<String> clientNames, long nowMillis) {
            this(clientNames, java.util.Collections.nCopies(clientNames.size(), SessionRecord.ANONYMOUS), nowMillis);
        }
    }

    /**
     * Ends a session: closes its handles, deleting ephemeral nodes only it held open. With
     * {@code expired} (the lease ran out) locks it held stay unavailable until nowMillis + each
     * handle's lock-delay; a client's CloseSession frees them at once.
     */
    record EndSession(long sessionId, String reason, boolean expired, long nowMillis) implements Command {
        /** An ending without lock-delay (the client closed it). */
        public EndSession(long sessionId, String reason) {
            this(sessionId, reason, false, 0);
        }
    }

    /**
     * Opens (and maybe creates) a node. ACL names null mean "inherit from the parent".
     *
     * @param path full name {@code /ls/<cell>/...} (already resolved against any directory handle)
     */
    record Open(long sessionId, String path, int modeBits, CreateMode create, boolean directory,
                boolean ephemeral, byte[] initialContents, String readAcl, String writeAcl, String changeAcl,
                int eventMask, long lockDelayMillis, long nowMillis) implements Command {
    }

    /**
     * Opens an anchor handle on directory {@code path} in the group holding its children and its
     * anchor, its node living in another group (docs/PARTITIONING.md 4.3): ReadDir and CHILD_* events.
     */
    record OpenAnchor(long sessionId, String path, int eventMask) implements Command {
    }

    /** Closes a handle; closing an unknown or closed handle succeeds. */
    record CloseHandle(long sessionId, long handleId) implements Command {
    }

    /** Replaces a file's contents; with {@code cas}, only if its content generation equals expectedGeneration. */
    record SetContents(long sessionId, long handleId, byte[] contents, boolean cas, long expectedGeneration,
                       long nowMillis) implements Command {
    }

    /** Writes the three ACL names and bumps the ACL generation. */
    record SetAcl(long sessionId, long handleId, String readAcl, String writeAcl, String changeAcl,
                  long nowMillis) implements Command {
    }

    /** Deletes the handle's node (a directory only when empty). */
    record Delete(long sessionId, long handleId) implements Command {
    }

    // ---------------------------------------------------------------- locks (SPEC section 5)

    /** Acquire (or with {@code tryOnly} TryAcquire) the handle's node lock; mode 0 EXCLUSIVE, 1 SHARED. */
    record Acquire(long sessionId, long handleId, int mode, boolean tryOnly, long nowMillis) implements Command {
    }

    /** Releases the handle's lock, or cancels its wait; releasing nothing succeeds. */
    record Release(long sessionId, long handleId, long nowMillis) implements Command {
    }

    /** Drops the handle's wait (blocking Acquire timed out, or its client never came back). */
    record CancelWait(long sessionId, long handleId, long nowMillis) implements Command {
    }

    /** The lock-delay of the node at {@code path} (full name) has passed by nowMillis: let waiters in. */
    record LockDelayExpired(String path, long nowMillis) implements Command {
    }

    /** Fences a handle: later calls on it fail STALE_SEQUENCER once the sequencer is no longer valid. */
    record SetSequencer(long sessionId, long handleId, byte[] sequencer) implements Command {
    }

    // ---------------------------------------------------------------- directories across groups (PARTITIONING 4)

    /**
     * Applied in H: records (or, with a newer ACL generation, updates) the LIVE anchor of directory
     * {@code path} (cell-relative) at {@code instance}. Ignored when H already holds an anchor of a
     * newer instance, or of this instance sealed or dropped (a late or duplicated message).
     */
    record AnchorDir(String path, long instance, String readAcl, String writeAcl, String changeAcl,
                     long aclGeneration, boolean ephemeral) implements Command {
    }

    /**
     * Applied in H for C's delete intent {@code txid}: seals the anchor of {@code path} at
     * {@code instance} unless H holds a child of it. Answers SEALED (also when already sealed),
     * GONE (no anchor of that instance) or NOT_EMPTY (anchor unchanged).
     */
    record SealDir(String path, long instance, long txid) implements Command {
    }

    /** Applied in H: drops the anchor of {@code path} if it is SEALED by {@code txid} (else a no-op). */
    record DropAnchor(String path, long instance, long txid) implements Command {
    }

    /**
     * Applied in C after H answered SEALED or GONE: deletes the node of delete intent {@code txid}
     * (the delete's linearization point) and moves the intent to DROPPING; a no-op unless the intent
     * is in SEALING, so it applies once.
     */
    record DeleteSealedDir(long txid) implements Command {
    }

    /** Applied in C: ends intent {@code txid} (pending cleared, intent removed) with this outcome. */
    record DirIntentDone(long txid, Result.DirOutcome.Outcome outcome) implements Command {
    }

    /**
     * Applied in C for H's master, whose create of a child of directory {@code path} (cell-relative)
     * found no anchor: reads what the node is (IS_FILE, NO_NODE or IS_DIRECTORY) and changes nothing.
     */
    record ResolveDir(String path) implements Command {
    }

    /**
     * Applied in C, sent by H's master when ephemeral directory {@code path} at {@code instance} may
     * have become empty (or by C's own master for a reap its apply deferred): opens a REAP_DIR intent
     * if the node of that instance is still there with no handle open and no intent; else STALE.
     */
    record ReapIfEmpty(String path, long instance) implements Command {
    }

    // ---------------------------------------------------------------- ACL files held by another partition (4.3)

    /**
     * Applied in every group other than A (the partition of the ACL files, {@code /acl/<name>}) for
     * A's master: a copy of ACL file {@code path} (cell-relative). {@code pending}: A is about to
     * change the file (the copy keeps its version but refuses guards naming it until the final
     * copy); otherwise the file's version as A applied it ({@code deleted}: it does not exist).
     * {@code stamp} orders the copies of a file: 2 x A's applied index when it was sent, plus 1 for
     * a pending copy; a copy not newer than the one held is ignored (late or duplicated).
     */
    record AclCopy(String path, long instance, long generation, byte[] contents, boolean deleted, boolean pending,
                   long stamp) implements Command {
        public AclCopy {
            contents = contents == null ? new byte[0] : contents;
        }
    }

    // ---------------------------------------------------------------- access control (SPEC section 9)

    /**
     * A command admitted by an authorizer on the strength of these ACL file versions. Applying it
     * first compares each with the file as it stands (a pure comparison: no plug-in runs in apply);
     * if one changed since the decision, nothing is applied and the result is CELL_UNAVAILABLE (the
     * client library repeats the call, and the master decides it again on the new ACL).
     */
    record Guarded(List<AclVersion> acls, Command command) implements Command {
        public Guarded {
            acls = List.copyOf(acls);
            if (acls.isEmpty() || command instanceof Guarded) {
                throw new IllegalArgumentException("a guard names at least one ACL file and wraps a plain command");
            }
        }
    }

    /** An ACL file (cell-relative path) at a version: instance 0 and generation 0 mean "did not exist". */
    record AclVersion(String path, long instance, long generation) {
    }

    /** The command itself, without its guard. */
    static Command unguarded(Command c) {
        return c instanceof Guarded g ? g.command() : c;
    }
}
