package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.spi.StateStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cell's replicated state: nodes (keyed by {@link NodePath#storageKey()}, sorted), sessions,
 * open handles, id counters and the cell secret, with an incrementally maintained checksum (the
 * wrapping sum of {@link Hash64#record} over every stored record). Only sorted maps are used, so
 * iteration order is the same on every replica.
 *
 * <p>Not thread-safe: the owner (the cell edge) applies commands on the consensus apply thread and
 * serves reads from request threads under one lock. Every change goes through the primitives
 * below, which record the store mutation, the checksum change and an undo step, so a command
 * that fails half-way is rolled back and changes nothing.
 */
public final class CellState {
    public static final String NODES = "node";
    public static final String SESSIONS = "session";
    public static final String HANDLES = "handle";
    public static final String META = "meta";
    static final byte[] SECRET_KEY = "secret".getBytes(StandardCharsets.UTF_8);
    static final byte[] COUNTERS_KEY = "counters".getBytes(StandardCharsets.UTF_8);
    static final byte[] GROUP_KEY = "group".getBytes(StandardCharsets.UTF_8);
    static final byte[] PARTITIONS_KEY = "partitions".getBytes(StandardCharsets.UTF_8);
    static final byte[] LEASE_CEILING_KEY = "lease.ceiling".getBytes(StandardCharsets.UTF_8);

    /** The outcome of one apply: the result for the proposer and the store mutations it caused. */
    public record Applied(Result result, List<StateStore.Mutation> mutations) {
    }

    final String cell;
    /** The Paxos group whose state this is (0: the cell's first group, today's cell). */
    final int group;
    final TreeMap<byte[], Node> nodes = new TreeMap<>(Arrays::compareUnsigned);
    final TreeMap<Long, SessionRecord> sessions = new TreeMap<>();
    final TreeMap<Long, HandleRecord> handles = new TreeMap<>();
    // Derived indexes, rebuilt on load; not part of the checksum.
    private final TreeMap<Long, TreeSet<Long>> handlesBySession = new TreeMap<>();
    private final TreeMap<Long, Integer> openCountByInstance = new TreeMap<>();
    private final TreeMap<Long, TreeSet<Long>> handlesByInstance = new TreeMap<>();
    /** Anchor handles by their directory's cell-relative path (their instance is another group's). */
    private final TreeMap<String, TreeSet<Long>> anchorHandlesByPath = new TreeMap<>();
    // What the current entry did to nodes (events, invalidations); reset per entry, not replicated.
    private final List<NodeChange> nodeChanges = new ArrayList<>();
    private final LockTable locks = new LockTable(this);
    private final DirectoryTables directories = new DirectoryTables(this);
    private final AclCopies aclCopies = new AclCopies(this);
    /** How the cell is partitioned, for a group >= 1 (given by its host from group 0's record); null: ONE. */
    private final Partitions hostedLayout;

    byte[] secret;
    /** The group number the store recorded (InitCell of a group >= 1); -1 when none is recorded. */
    int recordedGroup = -1;
    /** Group 0's record of how the cell is partitioned; null when none (one group). */
    Partitions partitions;
    /** The recorded lease ceiling in ms (SetLeaseCeiling); 0 when none is recorded. */
    long leaseCeilingMillis;
    long nextInstance = 1;
    long nextHandle = 1;
    long nextSession = 1;
    private long appliedIndex;
    private long checksum;

    private List<StateStore.Mutation> pending = new ArrayList<>();
    private final Deque<Runnable> undo = new ArrayDeque<>();

    /** The state of group 0 (a cell of one group, or group 0 of a partitioned cell). */
    public CellState(String cell) {
        this(cell, 0);
    }

    /** The state of Paxos group {@code group} of the cell. */
    public CellState(String cell, int group) {
        this(cell, group, null);
    }

    /**
     * The state of Paxos group {@code group} of a cell partitioned as {@code layout} (group 0's
     * record, fixed once data exists: docs/PARTITIONING.md section 5). Group 0 reads its own record
     * instead; null means one group.
     */
    public CellState(String cell, int group, Partitions layout) {
        if (group < 0) {
            throw new IllegalArgumentException("group " + group + " is negative");
        }
        this.cell = cell;
        this.group = group;
        this.hostedLayout = layout;
    }

    /** How the cell is partitioned as this group sees it: group 0's record, or the layout it was given. */
    public Partitions layout() {
        if (partitions != null) {
            return partitions;
        }
        return hostedLayout != null ? hostedLayout : Partitions.ONE;
    }

    /** Copies of the ACL files another partition holds (empty in a cell of one group and in group A). */
    public AclCopies aclCopies() {
        return aclCopies;
    }

    /** Anchors and open directory intents (empty in a cell of one group). */
    public DirectoryTables directories() {
        return directories;
    }

    /** Applies a committed entry. Never throws for a bad command: it yields a Failed result and no change. */
    public Applied apply(long index, long epoch, byte[] command) {
        pending = new ArrayList<>();
        undo.clear();
        locks.resetNotices();
        nodeChanges.clear();
        directories.clearDeferredReaps();
        long[] counters = {nextInstance, nextHandle, nextSession};
        long checksumBefore = checksum;
        Result result;
        try {
            result = new Applier(this, epoch, index).apply(CommandCodec.decode(command));
            if (counters[0] != nextInstance || counters[1] != nextHandle || counters[2] != nextSession) {
                // The counters record exists once any counter has moved off its initial value of 1.
                boolean existed = counters[0] != 1 || counters[1] != 1 || counters[2] != 1;
                putRaw(META, COUNTERS_KEY, existed ? encodeCounters(counters) : null, encodeCounters());
            }
        } catch (ChubbyException e) {
            rollback(counters, checksumBefore);
            result = Result.failed(e);
        } catch (RuntimeException e) {
            // A bug must not fork replicas: every replica fails the same command the same way.
            rollback(counters, checksumBefore);
            result = new Result.Failed(ErrorCode.INTERNAL, "apply failed: " + e);
        }
        appliedIndex = index;
        List<StateStore.Mutation> out = pending;
        pending = new ArrayList<>();
        undo.clear();
        return new Applied(result, out);
    }

    private void rollback(long[] counters, long checksumBefore) {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
        nextInstance = counters[0];
        nextHandle = counters[1];
        nextSession = counters[2];
        checksum = checksumBefore;
        pending = new ArrayList<>();
        locks.resetNotices();
        nodeChanges.clear();
        directories.clearDeferredReaps();
    }

    void putNode(byte[] key, Node n) {
        Node old = nodes.put(key, n);
        putRaw(NODES, key, old == null ? null : old.encode(), n.encode());
        undo.push(() -> restore(nodes, key, old));
        if (old == null || old.instance() != n.instance()) {
            nodeChanges.add(new NodeChange(relative(key), NodeChange.Kind.CREATED, n.instance(),
                    n.contentGeneration(), true, n));
        } else if (old.contentGeneration() != n.contentGeneration() || old.aclGeneration() != n.aclGeneration()) {
            nodeChanges.add(new NodeChange(relative(key), NodeChange.Kind.MODIFIED, n.instance(),
                    n.contentGeneration(), old.contentGeneration() != n.contentGeneration(), n));
        }
    }

    void deleteNode(byte[] key) {
        Node old = nodes.remove(key);
        if (old != null) {
            putRaw(NODES, key, old.encode(), null);
            undo.push(() -> nodes.put(key, old));
            locks.nodeDeleted(key);
            nodeChanges.add(new NodeChange(relative(key), NodeChange.Kind.DELETED, old.instance(),
                    old.contentGeneration(), false, old));
        }
    }

    void putSession(SessionRecord s) {
        SessionRecord old = sessions.put(s.id(), s);
        putRaw(SESSIONS, longKey(s.id()), old == null ? null : old.encode(), s.encode());
        undo.push(() -> restore(sessions, s.id(), old));
    }

    void deleteSession(long id) {
        SessionRecord old = sessions.remove(id);
        if (old != null) {
            putRaw(SESSIONS, longKey(id), old.encode(), null);
            undo.push(() -> sessions.put(id, old));
        }
    }

    void putHandle(HandleRecord h) {
        HandleRecord old = handles.get(h.handleId());
        if (old != null) {
            throw new IllegalStateException("handle id reused " + h.handleId());
        }
        indexHandle(h, +1);
        putRaw(HANDLES, longKey(h.handleId()), null, h.encode());
        undo.push(() -> indexHandle(h, -1));
    }

    void deleteHandle(long id) {
        HandleRecord old = handles.get(id);
        if (old != null) {
            indexHandle(old, -1);
            putRaw(HANDLES, longKey(id), old.encode(), null);
            undo.push(() -> indexHandle(old, +1));
        }
    }

    /**
     * Adds ({@code delta} > 0) or removes a handle and its index entries. Anchor handles are indexed
     * by their directory's path, not by instance: D's instance is C's number, which may be a node's here.
     */
    private void indexHandle(HandleRecord h, int delta) {
        boolean anchor = Modes.isAnchor(h.modeBits());
        if (delta > 0) {
            handles.put(h.handleId(), h);
            index(handlesBySession, h.sessionId(), h.handleId(), true);
            if (anchor) {
                index(anchorHandlesByPath, h.path(), h.handleId(), true);
            } else {
                openCountByInstance.merge(h.instance(), 1, Integer::sum);
                index(handlesByInstance, h.instance(), h.handleId(), true);
            }
        } else {
            handles.remove(h.handleId());
            index(handlesBySession, h.sessionId(), h.handleId(), false);
            if (anchor) {
                index(anchorHandlesByPath, h.path(), h.handleId(), false);
            } else {
                openCountByInstance.computeIfPresent(h.instance(), (k, v) -> v <= 1 ? null : v - 1);
                index(handlesByInstance, h.instance(), h.handleId(), false);
            }
        }
    }

    /** Adds or removes {@code id} in {@code key}'s set, dropping a set that becomes empty. */
    private static <K> void index(TreeMap<K, TreeSet<Long>> map, K key, long id, boolean add) {
        if (add) {
            map.computeIfAbsent(key, k -> new TreeSet<>()).add(id);
            return;
        }
        TreeSet<Long> set = map.get(key);
        if (set != null && set.remove(id) && set.isEmpty()) {
            map.remove(key);
        }
    }

    void putSecret(byte[] s) {
        byte[] old = secret;
        secret = s.clone();
        putRaw(META, SECRET_KEY, old, secret);
        undo.push(() -> secret = old);
    }

    void putGroup(int g) {
        int old = recordedGroup;
        recordedGroup = g;
        putRaw(META, GROUP_KEY, old < 0 ? null : encodeGroup(old), encodeGroup(g));
        undo.push(() -> recordedGroup = old);
    }

    void putPartitions(Partitions p) {
        Partitions old = partitions;
        partitions = p;
        putRaw(META, PARTITIONS_KEY, old == null ? null : old.encode(), p.encode());
        undo.push(() -> partitions = old);
    }

    void putLeaseCeiling(long millis) {
        long old = leaseCeilingMillis;
        leaseCeilingMillis = millis;
        putRaw(META, LEASE_CEILING_KEY, old == 0 ? null : encodeCeiling(old), encodeCeiling(millis));
        undo.push(() -> leaseCeilingMillis = old);
    }

    private static byte[] encodeCeiling(long millis) {
        return new Codec.Out().u8(1).i64(millis).toBytes();
    }

    private static byte[] encodeGroup(int g) {
        return new Codec.Out().u8(1).i32(g).toBytes();
    }

    private static <K, V> void restore(Map<K, V> map, K key, V old) {
        if (old == null) {
            map.remove(key);
        } else {
            map.put(key, old);
        }
    }

    /** A change of a record kept outside this class (the lock tables): stored, checksummed, undoable. */
    void record(String table, byte[] key, byte[] oldValue, byte[] newValue, Runnable undoStep) {
        putRaw(table, key, oldValue, newValue);
        undo.push(undoStep);
    }

    /** The replicated lock state (holders, waiters, lock-delays, handle sequencers). */
    public LockTable locks() {
        return locks;
    }

    /** Records a store mutation and folds it into the checksum; {@code newValue} null deletes. */
    private void putRaw(String table, byte[] key, byte[] oldValue, byte[] newValue) {
        if (oldValue != null) {
            checksum -= Hash64.record(table, key, oldValue);
        }
        if (newValue != null) {
            checksum += Hash64.record(table, key, newValue);
        }
        pending.add(new StateStore.Mutation(table, key.clone(), newValue));
    }

    static byte[] longKey(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private byte[] encodeCounters() {
        return encodeCounters(new long[] {nextInstance, nextHandle, nextSession});
    }

    private static byte[] encodeCounters(long[] c) {
        return new Codec.Out().u8(1).i64(c[0]).i64(c[1]).i64(c[2]).toBytes();
    }

    /** Every stored record, tables in name order, keys in unsigned byte order. */
    public List<StateStore.Record> records() {
        TreeMap<String, TreeMap<byte[], byte[]>> t = new TreeMap<>();
        TreeMap<byte[], byte[]> meta = table(t, META);
        if (secret != null) {
            meta.put(SECRET_KEY, secret.clone());
        }
        if (nextInstance != 1 || nextHandle != 1 || nextSession != 1) {
            meta.put(COUNTERS_KEY, encodeCounters());
        }
        if (recordedGroup >= 0) {
            meta.put(GROUP_KEY, encodeGroup(recordedGroup));
        }
        if (partitions != null) {
            meta.put(PARTITIONS_KEY, partitions.encode());
        }
        if (leaseCeilingMillis != 0) {
            meta.put(LEASE_CEILING_KEY, encodeCeiling(leaseCeilingMillis));
        }
        nodes.forEach((k, v) -> table(t, NODES).put(k, v.encode()));
        sessions.forEach((k, v) -> table(t, SESSIONS).put(longKey(k), v.encode()));
        handles.forEach((k, v) -> table(t, HANDLES).put(longKey(k), v.encode()));
        locks.records(table(t, LockTable.LOCKS), table(t, LockTable.SEQUENCERS));
        directories.records(table(t, DirectoryTables.ANCHORS), table(t, DirectoryTables.INTENTS));
        aclCopies.records(table(t, AclCopies.TABLE));
        List<StateStore.Record> out = new ArrayList<>();
        t.forEach((name, rows) -> rows.forEach((k, v) -> out.add(new StateStore.Record(name, k, v))));
        return out;
    }

    private static TreeMap<byte[], byte[]> table(TreeMap<String, TreeMap<byte[], byte[]>> t, String name) {
        return t.computeIfAbsent(name, k -> new TreeMap<>(Arrays::compareUnsigned));
    }

    /** Replaces the whole state with these records (store reload or snapshot install). */
    public void load(long index, Iterator<StateStore.Record> records) {
        nodes.clear();
        sessions.clear();
        handles.clear();
        handlesBySession.clear();
        openCountByInstance.clear();
        handlesByInstance.clear();
        anchorHandlesByPath.clear();
        locks.clear();
        directories.clear();
        aclCopies.clear();
        secret = null;
        recordedGroup = -1;
        partitions = null;
        leaseCeilingMillis = 0;
        nextInstance = 1;
        nextHandle = 1;
        nextSession = 1;
        checksum = 0;
        while (records.hasNext()) {
            StateStore.Record r = records.next();
            checksum += Hash64.record(r.table(), r.key(), r.value());
            switch (r.table()) {
                case NODES -> nodes.put(r.key().clone(), Node.decode(r.value()));
                case SESSIONS -> {
                    SessionRecord s = SessionRecord.decode(r.value());
                    sessions.put(s.id(), s);
                }
                case HANDLES -> indexHandle(HandleRecord.decode(r.value()), +1);
                case META -> loadMeta(r.key(), r.value());
                default -> {
                    if (!locks.load(r.table(), r.key(), r.value())
                            && !directories.load(r.table(), r.key(), r.value())
                            && !aclCopies.load(r.table(), r.key(), r.value())) {
                        throw new IllegalStateException("unknown state table " + r.table());
                    }
                }
            }
        }
        appliedIndex = index;
    }

    private void loadMeta(byte[] key, byte[] value) {
        if (Arrays.equals(key, SECRET_KEY)) {
            secret = value.clone();
        } else if (Arrays.equals(key, COUNTERS_KEY)) {
            Codec.In in = new Codec.In(value, ErrorCode.INTERNAL, "counters");
            in.u8();
            nextInstance = in.i64();
            nextHandle = in.i64();
            nextSession = in.i64();
        } else if (Arrays.equals(key, GROUP_KEY)) {
            Codec.In in = new Codec.In(value, ErrorCode.INTERNAL, "group");
            in.u8();
            recordedGroup = in.i32();
            if (recordedGroup != group) {
                // A wiring bug (another group's store handed to this group) must not mix groups silently.
                throw new IllegalStateException("this store holds the state of group " + recordedGroup
                        + ", not of group " + group);
            }
        } else if (Arrays.equals(key, PARTITIONS_KEY)) {
            partitions = Partitions.decode(value);
        } else if (Arrays.equals(key, LEASE_CEILING_KEY)) {
            Codec.In in = new Codec.In(value, ErrorCode.INTERNAL, "lease ceiling");
            in.u8();
            leaseCeilingMillis = in.i64();
        } else {
            throw new IllegalStateException("unknown meta key " + new String(key, StandardCharsets.UTF_8));
        }
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long checksum() {
        return checksum;
    }

    public String cell() {
        return cell;
    }

    /** The Paxos group whose state this is. */
    public int group() {
        return group;
    }

    /** How the cell is partitioned as recorded in this state (group 0's); {@link Partitions#ONE} when not recorded. */
    public Partitions partitions() {
        return partitions == null ? Partitions.ONE : partitions;
    }

    /** Whether a partitions record exists (SetPartitions was applied). */
    public boolean partitionsRecorded() {
        return partitions != null;
    }

    /**
     * The longest lease any master of this group may have promised a client (SetLeaseCeiling); 0
     * when none is recorded (an older cell: then up to {@code cell.session.max.lease.ms}).
     */
    public long leaseCeilingMillis() {
        return leaseCeilingMillis;
    }

    public boolean initialised() {
        return secret != null;
    }

    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int nodeCount() {
        return nodes.size();
    }

    /** Locks with at least one holder. */
    public int heldLockCount() {
        return locks.heldCount();
    }

    public int handleCount() {
        return handles.size();
    }

    public boolean hasSession(long id) {
        return sessions.containsKey(id);
    }

    /** The session's record, or null when there is no such session. */
    public SessionRecord session(long id) {
        return sessions.get(id);
    }

    /** Session ids in increasing order. */
    public List<Long> sessionIds() {
        return List.copyOf(sessions.keySet());
    }

    NavigableSet<Long> handlesOf(long sessionId) {
        TreeSet<Long> s = handlesBySession.get(sessionId);
        return s == null ? new TreeSet<>() : new TreeSet<>(s);
    }

    /** What the last applied entry did to nodes, in order (empty after a failed entry). */
    public List<NodeChange> nodeChanges() {
        return List.copyOf(nodeChanges);
    }

    /** Open handles on a node instance, in handle-id order (the instance may be deleted already). */
    public List<HandleRecord> handlesOn(long instance) {
        TreeSet<Long> ids = handlesByInstance.get(instance);
        if (ids == null) {
            return List.of();
        }
        List<HandleRecord> out = new ArrayList<>(ids.size());
        ids.forEach(id -> out.add(handles.get(id)));
        return out;
    }

    /**
     * Open anchor handles on the directory at this cell-relative path whose anchor instance is still
     * here (not dropped), in handle-id order: they hear the CHILD_* events of its children here.
     */
    public List<HandleRecord> anchorHandlesOn(String dirPath) {
        TreeSet<Long> ids = anchorHandlesByPath.get(dirPath);
        Anchor a = ids == null ? null : directories.anchor(pathOf(dirPath).storageKey());
        if (a == null || a.state() == Anchor.State.DROPPED) {
            return List.of();
        }
        List<HandleRecord> out = new ArrayList<>(ids.size());
        for (long id : ids) {
            HandleRecord h = handles.get(id);
            if (h.instance() == a.instance()) {
                out.add(h);
            }
        }
        return out;
    }

    /** How many handles the session has open. */
    public int handleCountOf(long sessionId) {
        TreeSet<Long> s = handlesBySession.get(sessionId);
        return s == null ? 0 : s.size();
    }

    /** The node at a cell-relative path, or null. */
    public Node nodeAt(String cellRelative) {
        return nodes.get(pathOf(cellRelative).storageKey());
    }

    private static String relative(byte[] storageKey) {
        return new String(storageKey, 2, storageKey.length - 2, StandardCharsets.UTF_8);
    }

    int openCount(long instance) {
        return openCountByInstance.getOrDefault(instance, 0);
    }

    NodePath pathOf(String cellRelative) {
        return cellRelative.equals("/") ? NodePath.root(cell) : NodePath.parse("/ls/" + cell + cellRelative);
    }

    /**
     * Authenticates a client's handle bytes against the replicated state: check digits, owning
     * session, still open, node instance still present. A handle to a deleted node is BAD_HANDLE
     * even after the name is re-created (the instance differs).
     */
    public HandleRecord checkHandle(byte[] token, long sessionId) {
        HandleToken t = HandleToken.decode(token, secret);
        if (t.sessionId() != sessionId) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d belongs to session %d, not %d",
                    t.handleId(), t.sessionId(), sessionId);
        }
        if (!sessions.containsKey(sessionId)) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d has ended", sessionId);
        }
        HandleRecord h = handles.get(t.handleId());
        if (h == null || !h.token().equals(t)) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d on %s is closed", t.handleId(),
                    pathOf(t.path()));
        }
        if (Modes.isAnchor(h.modeBits())) {
            AnchorHandles.liveAnchorOf(this, h);
        } else {
            nodeOf(h);
        }
        locks.checkFence(h);
        return h;
    }

    /** Whether this authentic token names a handle that is still open (its node may be gone). */
    public boolean isOpen(HandleToken t) {
        HandleRecord h = handles.get(t.handleId());
        return h != null && h.token().equals(t);
    }

    public HandleRecord handle(long handleId) {
        return handles.get(handleId);
    }

    /** The node a handle refers to; BAD_HANDLE when that instance was deleted. */
    public Node nodeOf(HandleRecord h) {
        if (Modes.isAnchor(h.modeBits())) {
            throw AnchorHandles.refused(h.handleId(), pathOf(h.path()), "a call on the node itself");
        }
        Node n = nodes.get(pathOf(h.path()).storageKey());
        if (n == null || n.instance() != h.instance()) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d: node %s (instance %d) was deleted",
                    h.handleId(), pathOf(h.path()), h.instance());
        }
        return n;
    }

    public Node contentsOf(HandleRecord h) {
        Node n = nodeOf(h);
        if (n.directory()) {
            throw ChubbyException.of(ErrorCode.IS_A_DIRECTORY, "%s is a directory: it has no contents", pathOf(h.path()));
        }
        return n;
    }

    /** Children of the handle's directory, in storage-key (name) order. */
    public List<DirEntry> readDir(HandleRecord h) {
        if (Modes.isAnchor(h.modeBits())) {
            AnchorHandles.liveAnchorOf(this, h);
            return children(h.path());
        }
        Node n = nodeOf(h);
        if (!n.directory()) {
            throw ChubbyException.of(ErrorCode.NOT_A_DIRECTORY, "%s is a file, not a directory", pathOf(h.path()));
        }
        return children(h.path());
    }

    /** Children of the node at a cell-relative path, in name order; empty for a file or no node. */
    public List<DirEntry> children(String cellRelative) {
        NodePath dir = pathOf(cellRelative);
        List<DirEntry> out = new ArrayList<>();
        nodes.subMap(dir.childrenKeyFrom(), true, dir.childrenKeyTo(), false).forEach((k, v) -> {
            String rel = new String(k, 2, k.length - 2, StandardCharsets.UTF_8);
            out.add(new DirEntry(rel.substring(rel.lastIndexOf('/') + 1), v.stat()));
        });
        return out;
    }

    boolean hasChildren(NodePath dir) {
        return !nodes.subMap(dir.childrenKeyFrom(), true, dir.childrenKeyTo(), false).isEmpty();
    }
}
