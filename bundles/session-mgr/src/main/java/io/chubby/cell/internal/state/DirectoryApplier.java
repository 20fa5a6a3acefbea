package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;

/**
 * The rules of directories whose node (in C) and children (in H) live in different groups
 * (docs/PARTITIONING.md section 4): anchors in H, intents in C, and every step idempotent by
 * (D, instance, txid) so duplicated, late and re-sent messages change nothing twice. Nothing here
 * runs in a cell of one group. Pure: it reads and writes the {@link CellState} alone.
 */
final class DirectoryApplier {
    private final CellState s;
    private final DirectoryTables t;

    DirectoryApplier(CellState state) {
        this.s = state;
        this.t = state.directories();
    }

    // ------------------------------------------------------------------ in H

    /** The root's anchor, made by the InitCell of the group holding the root's children (root instance 1). */
    void anchorRootIfHere() {
        Partitions layout = s.layout();
        NodePath root = NodePath.root(s.cell);
        if (s.group != 0 && layout.crossesGroups(root) && layout.partitionOfChildren(root) == s.group) {
            t.putAnchor(root.storageKey(), new Anchor(1, Anchor.State.LIVE, 0, 0, "", "", "", 1, false));
        }
    }

    /**
     * The anchor a create of a child of {@code dir} (whose node is in another group) is admitted
     * under: LIVE, or the create is refused with nothing applied.
     */
    Anchor admittingAnchor(NodePath dir, NodePath child) {
        Anchor a = t.anchor(dir.storageKey());
        if (a != null && a.state() == Anchor.State.SEALED && !PlantedBugs.createIgnoresSeal) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "directory %s is being deleted; retry", dir);
        }
        if (a == null || a.state() == Anchor.State.DROPPED) {
            throw ChubbyException.of(ErrorCode.NO_SUCH_NODE, "cannot create %s: parent %s does not exist", child, dir);
        }
        return a;
    }

    Result anchorDir(Command.AnchorDir c) {
        byte[] key = s.pathOf(c.path()).storageKey();
        Anchor old = t.anchor(key);
        if (old != null && (old.instance() > c.instance()
                || (old.instance() == c.instance() && (old.state() != Anchor.State.LIVE
                        || old.aclGeneration() >= c.aclGeneration())))) {
            return new Result.DirOutcome(Outcome.STALE, 0);
        }
        // An older instance's anchor is SEALED or DROPPED here: its node was deleted before this one was created.
        t.putAnchor(key, new Anchor(c.instance(), Anchor.State.LIVE, 0, 0, c.readAcl(), c.writeAcl(), c.changeAcl(),
                c.aclGeneration(), c.ephemeral()));
        return new Result.DirOutcome(Outcome.APPLIED, 0);
    }

    Result sealDir(Command.SealDir c) {
        NodePath dir = s.pathOf(c.path());
        Anchor a = t.anchor(dir.storageKey());
        if (a == null || a.instance() != c.instance() || a.state() == Anchor.State.DROPPED) {
            return new Result.DirOutcome(Outcome.GONE, c.txid());
        }
        if (a.state() == Anchor.State.SEALED) {
            return new Result.DirOutcome(Outcome.SEALED, c.txid());
        }
        if (c.txid() <= a.refusedUpTo()) {
            return new Result.DirOutcome(Outcome.NOT_EMPTY, c.txid()); // C has ended that intent: never seal for it
        }
        if (s.hasChildren(dir) && !PlantedBugs.sealIgnoresChildren) {
            t.putAnchor(dir.storageKey(), a.refused(c.txid()));
            return new Result.DirOutcome(Outcome.NOT_EMPTY, c.txid());
        }
        t.putAnchor(dir.storageKey(), a.sealed(c.txid()));
        return new Result.DirOutcome(Outcome.SEALED, c.txid());
    }

    Result dropAnchor(Command.DropAnchor c) {
        byte[] key = s.pathOf(c.path()).storageKey();
        Anchor a = t.anchor(key);
        if (a == null || a.instance() != c.instance() || a.state() != Anchor.State.SEALED || a.sealedBy() != c.txid()) {
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        t.putAnchor(key, a.dropped()); // a tombstone: a late AnchorDir of this instance stays out
        return new Result.DirOutcome(Outcome.APPLIED, c.txid());
    }

    // ------------------------------------------------------------------ in C

    /** A directory whose children live in another group was just created: open its CREATE_DIR intent. */
    void directoryCreated(NodePath dir, Node node, long txid) {
        t.putIntent(new DirIntent(txid, DirIntent.Kind.CREATE_DIR, dir.cellRelative(), node.instance(),
                DirIntent.Phase.ANCHORING));
    }

    /** A Delete of such a directory: open its DELETE_DIR intent; the node goes at DeleteSealedDir. */
    Result deleteRequested(NodePath dir, Node node, long txid) {
        requireNotPending(dir);
        t.putIntent(new DirIntent(txid, DirIntent.Kind.DELETE_DIR, dir.cellRelative(), node.instance(),
                DirIntent.Phase.SEALING));
        return new Result.DirOutcome(Outcome.INTENT_OPENED, txid);
    }

    /** Refuses a second intent on a pending directory, with nothing applied. */
    void requireNotPending(NodePath dir) {
        DirIntent open = t.pendingOn(dir.cellRelative());
        if (open != null) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "directory %s is being %s; retry", dir,
                    open.kind() == DirIntent.Kind.CREATE_DIR ? "created" : "deleted");
        }
    }

    /**
     * Refuses an Open of a directory being reaped, with nothing applied: a reap deletes D only while
     * no handle is open on it, so none is opened meanwhile; the retry finds D gone (or makes a new one).
     */
    void requireNotReaping(NodePath dir) {
        DirIntent open = t.pendingOn(dir.cellRelative());
        if (open != null && open.kind() == DirIntent.Kind.REAP_DIR) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "ephemeral directory %s is being deleted; retry",
                    dir);
        }
    }

    /**
     * The last handle on ephemeral directory {@code dir}, whose children live in H, closed here (or
     * H asked, {@link #reapIfEmpty}): opens its REAP_DIR intent, the seal in H deciding emptiness.
     * Nothing when a handle is open or an intent on D is open (a delete, or a reap already). An
     * entry opens one intent (txid = its index); further ones are deferred to C's master.
     */
    void reapRequested(NodePath dir, Node node, long index) {
        if (!node.ephemeral() || s.openCount(node.instance()) > 0 || t.pendingOn(dir.cellRelative()) != null
                || PlantedBugs.ephemeralsOutliveTheirSessions) {
            return;
        }
        if (t.intent(index) != null) {
            t.deferReap(new Command.ReapIfEmpty(dir.cellRelative(), node.instance()));
            return;
        }
        t.putIntent(new DirIntent(index, DirIntent.Kind.REAP_DIR, dir.cellRelative(), node.instance(),
                DirIntent.Phase.SEALING));
    }

    /**
     * H's (or C's own master's) request to reap ephemeral D: INTENT_OPENED, or STALE when nothing
     * started. While another intent on D is open it is refused CELL_UNAVAILABLE (nothing applied), so
     * the sender asks again: a reap that H refused NOT_EMPTY just before D's last child went is still
     * open when H's request comes, and ends without a reap.
     */
    Result reapIfEmpty(Command.ReapIfEmpty c, long index) {
        NodePath dir = s.pathOf(c.path());
        Node n = s.nodes.get(dir.storageKey());
        if (n == null || n.instance() != c.instance() || !n.directory() || !s.layout().crossesGroups(dir)) {
            return new Result.DirOutcome(Outcome.STALE, 0);
        }
        if (t.pendingOn(c.path()) != null) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "directory %s has an intent open; retry", dir);
        }
        reapRequested(dir, n, index);
        DirIntent i = t.intent(index);
        return i != null && i.path().equals(c.path()) ? new Result.DirOutcome(Outcome.INTENT_OPENED, index)
                : new Result.DirOutcome(Outcome.STALE, 0);
    }

    /**
     * What the node at {@code path} is, for H's master whose create of a child found no anchor (4.3):
     * read only, so the state (and its checksum) is unchanged.
     */
    Result resolveDir(Command.ResolveDir c) {
        Node n = s.nodeAt(c.path());
        return new Result.DirOutcome(n == null ? Outcome.NO_NODE : n.directory() ? Outcome.IS_DIRECTORY
                : Outcome.IS_FILE, 0);
    }

    Result deleteSealedDir(Command.DeleteSealedDir c) {
        DirIntent i = t.intent(c.txid());
        if (i == null || i.kind() == DirIntent.Kind.CREATE_DIR || i.phase() != DirIntent.Phase.SEALING) {
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        NodePath dir = s.pathOf(i.path());
        Node n = s.nodes.get(dir.storageKey());
        boolean same = n != null && n.instance() == i.instance();
        if (same && i.kind() == DirIntent.Kind.REAP_DIR && (!n.ephemeral() || s.openCount(n.instance()) > 0)) {
            // Checked again at the reap's own linearization point. Opens of D are refused while the
            // reap is open, so this does not happen; should it, the reap waits in SEALING (re-sent).
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        if (same) {
            s.deleteNode(dir.storageKey());
        }
        t.putIntent(i.in(DirIntent.Phase.DROPPING));
        return new Result.DirOutcome(Outcome.DELETED, c.txid());
    }

    /**
     * Ends intent {@code c.txid()}. An ephemeral crossing directory whose last handle closed while
     * another intent on it was open (its create, an ACL change, a delete that found it not empty)
     * got no reap then ({@link #reapRequested} waits for no intent): it is asked for here, in this
     * entry ({@code index}). Not after a reap: a reap that found a child ends there.
     */
    Result intentDone(Command.DirIntentDone c, long index) {
        DirIntent i = t.intent(c.txid());
        if (i == null) {
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        boolean sealing = i.kind() != DirIntent.Kind.CREATE_DIR && i.phase() == DirIntent.Phase.SEALING;
        if (sealing != (c.outcome() == Outcome.NOT_EMPTY)) {
            // A delete or reap in SEALING ends only as NOT_EMPTY; once sealed it ends only after the drop.
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        t.removeIntent(c.txid());
        if (i.kind() != DirIntent.Kind.REAP_DIR) {
            NodePath dir = s.pathOf(i.path());
            Node n = s.nodes.get(dir.storageKey());
            if (n != null && n.instance() == i.instance() && n.directory() && s.layout().crossesGroups(dir)) {
                reapRequested(dir, n, index);
            }
        }
        return new Result.DirOutcome(c.outcome() == Outcome.NOT_EMPTY ? Outcome.NOT_EMPTY : Outcome.APPLIED,
                c.txid());
    }
}
