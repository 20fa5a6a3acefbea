package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.Stat;

/**
 * Anchor handles (docs/PARTITIONING.md 4.3): a handle on directory D opened in H, the group holding
 * D's children and D's anchor, when D's node lives in another group. It lists H's children of D and
 * receives their CHILD_* events; it has no node here, so every other call on it is refused. It is
 * an ordinary {@link HandleRecord} (bit {@link Modes#ANCHOR}, instance = the anchor's, i.e. D's),
 * closed with its session or explicitly. Used for one apply, on the apply thread.
 */
public final class AnchorHandles {
    private final CellState s;
    private final long epoch;

    AnchorHandles(CellState state, long epoch) {
        this.s = state;
        this.epoch = epoch;
    }

    /** Applies {@link Command.OpenAnchor}: only on D's LIVE anchor, in the group of D's children. */
    Result open(Command.OpenAnchor o) {
        if (s.secret == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet (no secret)");
        }
        NodePath path = NodePath.parse(o.path()).inCell(s.cell);
        Partitions layout = s.layout();
        if (!layout.crossesGroups(path)) {
            Node local = s.nodes.get(path.storageKey());
            if (local != null && !local.directory()) {
                throw ChubbyException.of(ErrorCode.NOT_A_DIRECTORY, "%s is a file: only a directory has an anchor",
                        path);
            }
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s has its node and its children in the same "
                    + "partition: open the directory itself, without directory_watch", path);
        }
        int children = layout.partitionOfChildren(path);
        if (children != s.group) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "the children of %s live in partition %d, not %d",
                    path, children, s.group);
        }
        Anchor a = s.directories().anchor(path.storageKey());
        if (a == null || a.state() != Anchor.State.LIVE) {
            throw ChubbyException.of(ErrorCode.NO_SUCH_NODE, "directory %s does not exist in partition %d (no live "
                    + "anchor: it was never made, or it is being deleted)", path, s.group);
        }
        HandleRecord h = new HandleRecord(s.nextHandle++, o.sessionId(), path.cellRelative(), a.instance(),
                Modes.READ | Modes.ANCHOR, epoch, o.eventMask(), 0);
        s.putHandle(h);
        return new Result.Opened(h.token().encode(s.secret), false, stat(a, s.group));
    }

    /** What H knows of D: its instance, ACL names and generation, ephemerality (no times, no contents). */
    static Stat stat(Anchor a, int group) {
        return new Stat(a.instance(), 0, 0, a.aclGeneration(), 0, 0, true, a.ephemeral(), a.readAcl(), a.writeAcl(),
                a.changeAcl(), 0, 0, group);
    }

    /** The anchor an anchor handle is on, while its instance is not dropped; BAD_HANDLE otherwise. */
    static Anchor liveAnchorOf(CellState s, HandleRecord h) {
        Anchor a = s.directories().anchor(s.pathOf(h.path()).storageKey());
        if (a == null || a.instance() != h.instance() || a.state() == Anchor.State.DROPPED) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d: directory %s (instance %d) was deleted",
                    h.handleId(), s.pathOf(h.path()), h.instance());
        }
        return a;
    }

    /**
     * The refusal of {@code what} (every call but ReadDir and Close) on anchor handle {@code handleId}
     * on directory {@code dir}: the master's router before any plug-in, and the state for a node call.
     */
    public static ChubbyException refused(long handleId, NodePath dir, Object what) {
        return ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "handle %d on %s is an anchor handle (the listing and "
                + "child events of a directory whose node lives in another partition): %s is not allowed on it",
                handleId, dir, what);
    }
}
