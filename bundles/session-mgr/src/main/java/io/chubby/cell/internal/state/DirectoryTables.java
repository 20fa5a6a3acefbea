package io.chubby.cell.internal.state;

import io.chubby.api.NodePath;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated tables of cross-group directory operations (docs/PARTITIONING.md section 4.1):
 * anchors of remote directories ({@value #ANCHORS}, in H) and open intents ({@value #INTENTS}, in
 * C). Both stay empty in a cell of one group, and for a directory whose children live with it.
 * Changes go through {@link CellState#record}, so they are stored, checksummed and rolled back
 * with the command that made them.
 */
public final class DirectoryTables {
    public static final String ANCHORS = "anchor";
    public static final String INTENTS = "xop";

    private final CellState s;
    private final TreeMap<byte[], Anchor> anchors = new TreeMap<>(Arrays::compareUnsigned);
    private final TreeMap<Long, DirIntent> intents = new TreeMap<>();
    /** Reaps the last applied entry could not open itself (one intent per entry: its txid): not state. */
    private final List<Command.ReapIfEmpty> deferredReaps = new java.util.ArrayList<>();

    DirectoryTables(CellState state) {
        this.s = state;
    }

    /** The anchor of the directory with this storage key, or null. */
    public Anchor anchor(byte[] dirKey) {
        return anchors.get(dirKey);
    }

    /**
     * The LIVE anchors of ephemeral directories, cell-relative path to instance (H's master asks again
     * for their reap when it takes over, 4.3).
     */
    public Map<String, Long> liveEphemeralAnchors() {
        Map<String, Long> out = new TreeMap<>();
        anchors.forEach((k, a) -> {
            if (a.ephemeral() && a.state() == Anchor.State.LIVE) {
                out.put(new String(k, 2, k.length - 2, java.nio.charset.StandardCharsets.UTF_8), a.instance());
            }
        });
        return out;
    }

    /**
     * The ephemeral directories of this group whose children live in another group, with no handle
     * and no intent open on them, cell-relative path to instance: C's master asks for their reap when
     * it takes over (4.3), so a reap its predecessor deferred ({@link #deferredReaps}) and died before
     * asking for is asked for again. A non-empty one is among them too; its reap ends NOT_EMPTY.
     */
    public Map<String, Long> idleEphemeralDirectories() {
        Map<String, Long> out = new TreeMap<>();
        s.nodes.forEach((key, n) -> {
            if (n.ephemeral() && n.directory() && s.openCount(n.instance()) == 0) {
                NodePath p = NodePath.fromStorageKey(s.cell(), key);
                if (s.layout().crossesGroups(p) && pendingOn(p.cellRelative()) == null) {
                    out.put(p.cellRelative(), n.instance());
                }
            }
        });
        return out;
    }

    /** Open intents, by txid. */
    public List<DirIntent> intents() {
        return List.copyOf(intents.values());
    }

    public DirIntent intent(long txid) {
        return intents.get(txid);
    }

    /** The open intent on the directory at this cell-relative path, or null (D is not pending). */
    public DirIntent pendingOn(String cellRelative) {
        for (DirIntent i : intents.values()) {
            if (i.path().equals(cellRelative)) {
                return i;
            }
        }
        return null;
    }

    /** The open intent on the directory at this cell-relative path of {@code instance}, or null. */
    public DirIntent intentOn(String cellRelative, long instance) {
        for (DirIntent i : intents.values()) {
            if (i.path().equals(cellRelative) && i.instance() == instance) {
                return i;
            }
        }
        return null;
    }

    /**
     * REAP_DIR intents the last applied entry wanted to open beyond its one (its txid is its log
     * index): C's master proposes a {@link Command.ReapIfEmpty} for each. Empty after a failed entry.
     */
    public List<Command.ReapIfEmpty> deferredReaps() {
        return List.copyOf(deferredReaps);
    }

    void deferReap(Command.ReapIfEmpty r) {
        deferredReaps.add(r);
    }

    /** Called as each entry's apply starts and when it is rolled back. */
    void clearDeferredReaps() {
        deferredReaps.clear();
    }

    void putAnchor(byte[] key, Anchor a) {
        byte[] k = key.clone();
        Anchor old = anchors.put(k, a);
        s.record(ANCHORS, k, old == null ? null : old.encode(), a.encode(), () -> restore(anchors, k, old));
    }

    void putIntent(DirIntent i) {
        DirIntent old = intents.put(i.txid(), i);
        s.record(INTENTS, CellState.longKey(i.txid()), old == null ? null : old.encode(), i.encode(),
                () -> restore(intents, i.txid(), old));
    }

    void removeIntent(long txid) {
        DirIntent old = intents.remove(txid);
        if (old != null) {
            s.record(INTENTS, CellState.longKey(txid), old.encode(), null, () -> intents.put(txid, old));
        }
    }

    void records(TreeMap<byte[], byte[]> anchorRows, TreeMap<byte[], byte[]> intentRows) {
        anchors.forEach((k, v) -> anchorRows.put(k, v.encode()));
        intents.forEach((k, v) -> intentRows.put(CellState.longKey(k), v.encode()));
    }

    boolean isEmpty() {
        return anchors.isEmpty() && intents.isEmpty();
    }

    boolean load(String table, byte[] key, byte[] value) {
        switch (table) {
            case ANCHORS -> anchors.put(key.clone(), Anchor.decode(value));
            case INTENTS -> {
                long txid = ByteBuffer.wrap(key).getLong();
                intents.put(txid, DirIntent.decode(txid, value));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    void clear() {
        anchors.clear();
        intents.clear();
    }

    private static <K, V> void restore(Map<K, V> map, K key, V old) {
        if (old == null) {
            map.remove(key);
        } else {
            map.put(key, old);
        }
    }
}
