package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated lock part of {@link CellState}: one {@link LockRecord} per node with holders,
 * waiters or a lock-delay (table {@value #LOCKS}) and the sequencer set on a handle (table
 * {@value #SEQUENCERS}, key = handle id). Changes go through {@link CellState#record} so they are
 * checksummed, stored and rolled back like every other record. Same threading as CellState.
 */
public final class LockTable {
    public static final String LOCKS = "lock";
    public static final String SEQUENCERS = "seqr";

    private final CellState s;
    private final TreeMap<byte[], LockRecord> locks = new TreeMap<>(Arrays::compareUnsigned);
    private final TreeMap<Long, Sequencer> sequencers = new TreeMap<>();
    private List<LockNotice> notices = new ArrayList<>();

    LockTable(CellState state) {
        this.s = state;
    }

    // ------------------------------------------------------------------ primitives

    LockRecord get(byte[] key, long instance) {
        LockRecord r = locks.get(key);
        return r == null || r.instance() != instance ? LockRecord.empty(instance) : r;
    }

    /** Stores the record; an empty one is deleted. */
    void put(byte[] key, LockRecord r) {
        LockRecord old = locks.get(key);
        if (r.isEmpty()) {
            if (old == null) {
                return;
            }
            locks.remove(key);
            s.record(LOCKS, key, old.encode(), null, () -> locks.put(key, old));
        } else {
            locks.put(key, r);
            s.record(LOCKS, key, old == null ? null : old.encode(), r.encode(), () -> restore(locks, key, old));
        }
    }

    void putSequencer(long handleId, Sequencer q) {
        Sequencer old = q == null ? sequencers.remove(handleId) : sequencers.put(handleId, q);
        if (old == null && q == null) {
            return;
        }
        s.record(SEQUENCERS, CellState.longKey(handleId), old == null ? null : old.encodeRecord(),
                q == null ? null : q.encodeRecord(), () -> restore(sequencers, handleId, old));
    }

    private static <K, V> void restore(Map<K, V> map, K key, V old) {
        if (old == null) {
            map.remove(key);
        } else {
            map.put(key, old);
        }
    }

    void notice(LockNotice n) {
        notices.add(n);
    }

    /** Start of an apply (and after a rollback): notices of earlier entries are gone. */
    void resetNotices() {
        notices = new ArrayList<>();
    }

    /** The notices of the entry just applied (the edge calls this right after each apply). */
    public List<LockNotice> drainNotices() {
        List<LockNotice> out = notices;
        notices = new ArrayList<>();
        return out;
    }

    /** A node was deleted: its lock record goes, and its waiters are told (their handles are now bad). */
    void nodeDeleted(byte[] key) {
        LockRecord r = locks.get(key);
        if (r == null) {
            return;
        }
        for (LockRecord.Party w : r.waiters()) {
            notice(new LockNotice.WaitEnded(w.sessionId(), w.handleId(), ErrorCode.BAD_HANDLE,
                    "the node was deleted while waiting for its lock"));
        }
        put(key, LockRecord.empty(r.instance()));
    }

    // ------------------------------------------------------------------ load / records

    void clear() {
        locks.clear();
        sequencers.clear();
        notices = new ArrayList<>();
    }

    /** Loads one stored record; false if the table is not a lock table. */
    boolean load(String table, byte[] key, byte[] value) {
        switch (table) {
            case LOCKS -> locks.put(key.clone(), LockRecord.decode(value));
            case SEQUENCERS -> sequencers.put(ByteBuffer.wrap(key).getLong(), Sequencer.decodeRecord(value));
            default -> {
                return false;
            }
        }
        return true;
    }

    void records(TreeMap<byte[], byte[]> lockRows, TreeMap<byte[], byte[]> sequencerRows) {
        locks.forEach((k, v) -> lockRows.put(k, v.encode()));
        sequencers.forEach((k, v) -> sequencerRows.put(CellState.longKey(k), v.encodeRecord()));
    }

    // ------------------------------------------------------------------ queries (edge and core)

    /**
     * Every stored lock record (nodes whose lock is held, waited for or delayed), by cell-relative
     * path, in key order. For checks (the whole-cell simulator), not for the request path.
     */
    public void forEachLock(java.util.function.BiConsumer<String, LockRecord> visitor) {
        locks.forEach((k, v) -> visitor.accept(new String(k, 2, k.length - 2,
                java.nio.charset.StandardCharsets.UTF_8), v));
    }

    /** Locks with at least one holder (one pass over the records; for metrics). */
    public int heldCount() {
        int n = 0;
        for (LockRecord r : locks.values()) {
            if (!r.holders().isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /** The lock record of the handle's node (empty when free and undelayed). */
    public LockRecord lockOf(HandleRecord h) {
        Node n = s.nodeOf(h);
        return get(s.pathOf(h.path()).storageKey(), n.instance());
    }

    /** Full paths of nodes whose lock-delay has passed at {@code nowMillis}. */
    public List<String> delaysDue(long nowMillis) {
        List<String> out = new ArrayList<>();
        locks.forEach((k, r) -> {
            if (r.delayUntilMillis() != 0 && nowMillis >= r.delayUntilMillis()) {
                out.add(pathOfKey(k));
            }
        });
        return out;
    }

    /** Every waiting party, in node order then FIFO order. */
    public List<LockRecord.Party> waiters() {
        List<LockRecord.Party> out = new ArrayList<>();
        locks.values().forEach(r -> out.addAll(r.waiters()));
        return out;
    }

    String pathOfKey(byte[] key) {
        String rel = new String(key, 2, key.length - 2, java.nio.charset.StandardCharsets.UTF_8);
        return s.pathOf(rel.isEmpty() ? "/" : rel).toString();
    }

    /** The sequencer for the lock the handle holds; STALE_SEQUENCER-free INVALID_ARGUMENT if it holds none. */
    public Sequencer sequencerFor(HandleRecord h) {
        Node n = s.nodeOf(h);
        LockRecord.Party p = get(s.pathOf(h.path()).storageKey(), n.instance()).holder(h.handleId());
        if (p == null) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "handle %d does not hold the lock on %s",
                    h.handleId(), s.pathOf(h.path()));
        }
        return new Sequencer(s.pathOf(h.path()).toString(), n.instance(), p.mode(), n.lockGeneration());
    }

    /** Null when the sequencer is valid now; otherwise why not (for CheckSequencer and fencing). */
    public String problem(Sequencer q) {
        NodePath path;
        try {
            path = NodePath.parse(q.path());
        } catch (ChubbyException e) {
            return "names a malformed path";
        }
        if (!path.cell().equals(s.cell())) {
            return "names cell '" + path.cell() + "', not this cell '" + s.cell() + "'";
        }
        int home = partitionOfLock(path);
        if (home != s.group) {
            return "the lock on " + path + " lives in partition " + home + ", not in partition " + s.group
                    + " (only partition " + home + " can check it)";
        }
        Node n = s.nodes.get(path.storageKey());
        if (n == null) {
            return "node " + path + " no longer exists";
        }
        if (n.instance() != q.instance()) {
            return "node " + path + " was deleted and re-created (instance " + n.instance() + ", sequencer has "
                    + q.instance() + ")";
        }
        LockRecord r = get(path.storageKey(), n.instance());
        if (n.lockGeneration() != q.generation()
                && !(PlantedBugs.sequencerAcceptsOlderGeneration && q.generation() < n.lockGeneration())) {
            return "lock generation is " + n.lockGeneration() + ", sequencer has " + q.generation()
                    + " (the lock was released and acquired again)";
        }
        if (r.holders().isEmpty()) {
            return "the lock on " + path + " is not held any more (generation " + q.generation() + " ended)";
        }
        if (r.heldMode() != q.mode()) {
            return "the lock is held " + LockRecord.modeName(r.heldMode()) + ", sequencer says "
                    + LockRecord.modeName(q.mode());
        }
        return null;
    }

    /** The partition (group) holding the lock at {@code path}: this group's in a cell of one partition. */
    private int partitionOfLock(NodePath path) {
        return s.layout().partitioned() ? s.layout().partitionOf(path) : s.group;
    }

    /**
     * SetSequencer's partition rule (docs/PARTITIONING.md section 2): a fence is checked where the
     * handle's calls are applied, which must hold the lock's state in the same log, so a sequencer
     * whose lock another partition holds than the handle's node is refused INVALID_ARGUMENT, naming
     * both partitions. Malformed or other-cell sequencers are left to {@link #problem}.
     */
    public void refuseForeignFence(Sequencer q, HandleRecord h) {
        NodePath path;
        try {
            path = NodePath.parse(q.path());
        } catch (ChubbyException e) {
            return;
        }
        int home = partitionOfLock(path);
        if (path.cell().equals(s.cell()) && home != s.group) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "sequencer of the lock on %s (partition %d) cannot "
                    + "fence handle %d on %s (partition %d): a fence needs the lock in the handle's partition; put "
                    + "the lock beside the data, or check the sequencer with CheckSequencer", path, home,
                    h.handleId(), s.pathOf(h.path()), s.group);
        }
    }

    /** Fencing for SetSequencer: every call on a handle whose sequencer went stale fails STALE_SEQUENCER. */
    public void checkFence(HandleRecord h) {
        Sequencer q = sequencers.get(h.handleId());
        if (q != null) {
            String why = problem(q);
            if (why != null) {
                throw ChubbyException.of(ErrorCode.STALE_SEQUENCER, "handle %d is fenced by sequencer %s: %s",
                        h.handleId(), q, why);
            }
        }
    }

    /** Open handles on this node instance that subscribed to event {@code kind} (bit 1 << kind). */
    public List<HandleRecord> subscribers(long instance, int kind) {
        List<HandleRecord> out = new ArrayList<>();
        for (HandleRecord h : s.handles.values()) {
            if (h.instance() == instance && (h.eventMask() & (1 << kind)) != 0) {
                out.add(h);
            }
        }
        return out;
    }

    /** The client name a session was created with ("" if unknown). */
    public String clientName(long sessionId) {
        SessionRecord r = s.sessions.get(sessionId);
        return r == null ? "" : r.clientName();
    }

    /** The sequencer set on a handle, or null. */
    public Sequencer sequencerOf(long handleId) {
        return sequencers.get(handleId);
    }
}
