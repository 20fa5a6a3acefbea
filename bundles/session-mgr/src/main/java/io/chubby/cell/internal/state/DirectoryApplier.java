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

    Result deleteSealedDir(Command.DeleteSealedDir c) {
        DirIntent i = t.intent(c.txid());
        if (i == null || i.kind() != DirIntent.Kind.DELETE_DIR || i.phase() != DirIntent.Phase.SEALING) {
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        NodePath dir = s.pathOf(i.path());
        Node n = s.nodes.get(dir.storageKey());
        if (n != null && n.instance() == i.instance()) {
            s.deleteNode(dir.storageKey());
        }
        t.putIntent(i.in(DirIntent.Phase.DROPPING));
        return new Result.DirOutcome(Outcome.DELETED, c.txid());
    }

    Result intentDone(Command.DirIntentDone c) {
        DirIntent i = t.intent(c.txid());
        if (i == null) {
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        boolean sealing = i.kind() == DirIntent.Kind.DELETE_DIR && i.phase() == DirIntent.Phase.SEALING;
        if (sealing != (c.outcome() == Outcome.NOT_EMPTY)) {
            // A delete in SEALING ends only as NOT_EMPTY; once sealed it ends only after the drop.
            return new Result.DirOutcome(Outcome.STALE, c.txid());
        }
        t.removeIntent(c.txid());
        return new Result.DirOutcome(c.outcome() == Outcome.NOT_EMPTY ? Outcome.NOT_EMPTY : Outcome.APPLIED,
                c.txid());
    }
}
