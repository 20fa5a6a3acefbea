package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The semantics of each {@link Command} on a {@link CellState} (SPEC sections 2-3). Checks come
 * first; a check failing later is still safe because CellState rolls the whole command back.
 * Used for one apply only, on the apply thread.
 */
final class Applier {
    private final CellState s;
    private final long epoch;
    private final long index;
    // Lock side of closing handles: set by EndSession for an expired session (lock-delay applies).
    private long lockDelayFrom = LockApplier.NO_TIME;
    private String closeReason = "handle closed";
    private ErrorCode closeCode = ErrorCode.CANCELLED;

    Applier(CellState state, long epoch, long index) {
        this.s = state;
        this.epoch = epoch;
        this.index = index;
    }

    Result apply(Command c) {
        // Java 17 has no pattern switch: an instanceof chain over the sealed hierarchy.
        if (c instanceof Command.Noop) {
            return new Result.Done();
        } else if (c instanceof Command.InitCell i) {
            return init(i);
        } else if (c instanceof Command.CreateSessions cs) {
            return createSessions(cs);
        } else if (c instanceof Command.EndSession e) {
            return endSession(e);
        } else if (c instanceof Command.Open o) {
            return open(o);
        } else if (c instanceof Command.OpenAnchor a) {
            requireSession(a.sessionId());
            return new AnchorHandles(s, epoch).open(a);
        } else if (c instanceof Command.CloseHandle h) {
            return close(h);
        } else if (c instanceof Command.SetContents sc) {
            return setContents(sc);
        } else if (c instanceof Command.SetAcl a) {
            return setAcl(a);
        } else if (c instanceof Command.Delete d) {
            return delete(d);
        } else if (c instanceof Command.Acquire a) {
            return new LockApplier(s).acquire(a);
        } else if (c instanceof Command.Release r) {
            return new LockApplier(s).release(r);
        } else if (c instanceof Command.CancelWait w) {
            return new LockApplier(s).cancelWait(w);
        } else if (c instanceof Command.LockDelayExpired d) {
            return new LockApplier(s).delayExpired(d);
        } else if (c instanceof Command.SetSequencer q) {
            return new LockApplier(s).setSequencer(q);
        } else if (c instanceof Command.Guarded g) {
            return guarded(g);
        } else if (c instanceof Command.SetPartitions p) {
            return new PartitionsApplier(s).setPartitions(p);
        } else if (c instanceof Command.AnchorDir a) {
            return new DirectoryApplier(s).anchorDir(a);
        } else if (c instanceof Command.SealDir d) {
            return new DirectoryApplier(s).sealDir(d);
        } else if (c instanceof Command.DropAnchor d) {
            return new DirectoryApplier(s).dropAnchor(d);
        } else if (c instanceof Command.DeleteSealedDir d) {
            return deleteSealedDir(d);
        } else if (c instanceof Command.ResolveDir d) {
            return new DirectoryApplier(s).resolveDir(d);
        } else if (c instanceof Command.ReapIfEmpty r) {
            return new DirectoryApplier(s).reapIfEmpty(r, index);
        } else if (c instanceof Command.DirIntentDone d) {
            return new DirectoryApplier(s).intentDone(d, index);
        } else if (c instanceof Command.AclCopy a) {
            return s.aclCopies().apply(a);
        } else if (c instanceof Command.SetLeaseCeiling l) {
            if (l.millis() != s.leaseCeilingMillis) {
                s.putLeaseCeiling(l.millis());
            }
            return new Result.Done();
        }
        throw new IllegalStateException("unhandled command " + c);
    }

    private Result init(Command.InitCell i) {
        if (i.group() != s.group) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "InitCell of group %d applied to the state of "
                    + "group %d: a group's log belongs to its own store", i.group(), s.group);
        }
        if (s.secret != null) {
            // Two masters in a row may both propose it; the first wins and the second is harmless.
            return new Result.Done();
        }
        if (i.secret().length < 16) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "cell secret shorter than 16 bytes");
        }
        s.putSecret(i.secret());
        if (s.group != 0) {
            // Group 0 records nothing new (its state stays what every earlier version wrote); the root lives there.
            s.putGroup(s.group);
            new DirectoryApplier(s).anchorRootIfHere();
            return new Result.Done();
        }
        byte[] rootKey = NodePath.root(s.cell).storageKey();
        if (!s.nodes.containsKey(rootKey)) {
            s.putNode(rootKey, new Node(s.nextInstance++, 1, 0, 1, true, false, "", "", "", i.nowMillis(),
                    i.nowMillis(), null));
        }
        return new Result.Done();
    }

    private Result createSessions(Command.CreateSessions cs) {
        List<Long> ids = new ArrayList<>(cs.clientNames().size());
        for (int i = 0; i < cs.clientNames().size(); i++) {
            String name = cs.clientNames().get(i);
            long id = s.nextSession++;
            s.putSession(new SessionRecord(id, name == null ? "" : name, cs.nowMillis(), cs.principals().get(i)));
            ids.add(id);
        }
        return new Result.SessionsCreated(ids);
    }

    /**
     * Applies the command only if every ACL file its admission rested on is still at the version the
     * authorizer read: a pure comparison against the state, so every replica decides alike.
     */
    private Result guarded(Command.Guarded g) {
        if (PlantedBugs.guardsIgnored) {
            return apply(g.command());
        }
        for (Command.AclVersion a : g.acls()) {
            if (AclCopies.isAclFile(a.path()) && s.aclCopies().copied()) {
                s.aclCopies().checkGuard(a); // another partition holds the file: compared with the copy
                continue;
            }
            Node n = s.nodeAt(a.path());
            long instance = n == null ? 0 : n.instance();
            long generation = n == null ? 0 : n.contentGeneration();
            if (instance != a.instance() || generation != a.generation()) {
                String name = a.path().equals("/") ? NodePath.root(s.cell).toString() : "/ls/" + s.cell + a.path();
                throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "the ACL file %s changed while the call was in "
                        + "flight: nothing was applied; retry (the call is decided again on the new ACL)", name);
            }
        }
        return apply(g.command());
    }

    private Result endSession(Command.EndSession e) {
        requireSession(e.sessionId());
        lockDelayFrom = e.expired() ? e.nowMillis() : LockApplier.NO_TIME;
        closeReason = "session ended: " + e.reason();
        closeCode = ErrorCode.SESSION_EXPIRED;
        for (long handleId : s.handlesOf(e.sessionId())) {
            closeHandle(handleId);
        }
        s.deleteSession(e.sessionId());
        return new Result.Done();
    }

    private Result open(Command.Open o) {
        requireSession(o.sessionId());
        if (s.secret == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet (no secret)");
        }
        NodePath path = NodePath.parse(o.path()).inCell(s.cell);
        if (o.lockDelayMillis() < 0 || o.lockDelayMillis() > OpenOptions.MAX_LOCK_DELAY_MILLIS) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "lock-delay %d ms is outside 0..%d",
                    o.lockDelayMillis(), OpenOptions.MAX_LOCK_DELAY_MILLIS);
        }
        byte[] key = path.storageKey();
        Node node = s.nodes.get(key);
        boolean created = false;
        if (node != null) {
            if (o.create() == CreateMode.MUST) {
                throw ChubbyException.of(ErrorCode.EXISTS, "%s already exists", path);
            }
            if (node.directory() && s.layout().crossesGroups(path)) {
                new DirectoryApplier(s).requireNotReaping(path);
            }
        } else {
            if (o.create() == CreateMode.NO) {
                throw ChubbyException.of(ErrorCode.NO_SUCH_NODE, "%s does not exist", path);
            }
            node = create(path, o);
            s.putNode(key, node);
            created = true;
            if (node.directory() && s.layout().crossesGroups(path)) {
                new DirectoryApplier(s).directoryCreated(path, node, index);
            }
        }
        int mode = Modes.normalise(o.modeBits());
        HandleRecord h = new HandleRecord(s.nextHandle++, o.sessionId(), path.cellRelative(), node.instance(), mode,
                epoch, o.eventMask(), o.lockDelayMillis());
        s.putHandle(h);
        return new Result.Opened(h.token().encode(s.secret), created, node.stat());
    }

    private Node create(NodePath path, Command.Open o) {
        if (path.isRoot()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the cell root cannot be created");
        }
        NodePath parentPath = path.parent();
        Node parent = s.nodes.get(parentPath.storageKey());
        if (parent == null && s.layout().crossesGroups(parentPath) && s.layout().partitionOf(parentPath) != s.group) {
            return createUnderAnchor(path, parentPath, o);
        }
        if (parent == null) {
            throw ChubbyException.of(ErrorCode.NO_SUCH_NODE, "cannot create %s: parent %s does not exist", path,
                    parentPath);
        }
        if (!parent.directory()) {
            throw ChubbyException.of(ErrorCode.NOT_A_DIRECTORY, "cannot create %s: parent %s is a file", path,
                    parentPath);
        }
        if (o.directory() && o.initialContents().length > 0) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "directory %s cannot have initial contents", path);
        }
        String r = o.readAcl() == null ? parent.readAcl() : o.readAcl();
        String w = o.writeAcl() == null ? parent.writeAcl() : o.writeAcl();
        String c = o.changeAcl() == null ? parent.changeAcl() : o.changeAcl();
        return new Node(s.nextInstance++, 1, 0, 1, o.directory(), o.ephemeral(), r, w, c, o.nowMillis(),
                o.nowMillis(), o.initialContents());
    }

    /** A create in H of a child of a directory whose node is in C: admitted by D's LIVE anchor, ACLs from it. */
    private Node createUnderAnchor(NodePath path, NodePath parentPath, Command.Open o) {
        Anchor a = new DirectoryApplier(s).admittingAnchor(parentPath, path);
        if (o.directory() && o.initialContents().length > 0) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "directory %s cannot have initial contents", path);
        }
        String r = o.readAcl() == null ? a.readAcl() : o.readAcl();
        String w = o.writeAcl() == null ? a.writeAcl() : o.writeAcl();
        String c = o.changeAcl() == null ? a.changeAcl() : o.changeAcl();
        return new Node(s.nextInstance++, 1, 0, 1, o.directory(), o.ephemeral(), r, w, c, o.nowMillis(),
                o.nowMillis(), o.initialContents());
    }

    /**
     * The delete (or reap) of a sealed directory; its parent, which may just have lost its last
     * child, is reaped (4.2 step 5).
     */
    private Result deleteSealedDir(Command.DeleteSealedDir d) {
        DirIntent i = s.directories().intent(d.txid());
        Result r = new DirectoryApplier(s).deleteSealedDir(d);
        if (r instanceof Result.DirOutcome o && o.outcome() == Result.DirOutcome.Outcome.DELETED) {
            reap(s.pathOf(i.path()).parent());
        }
        return r;
    }

    private Result close(Command.CloseHandle c) {
        HandleRecord h = s.handles.get(c.handleId());
        if (h != null && h.sessionId() == c.sessionId()) {
            closeHandle(c.handleId());
        }
        // Close never fails: unknown, already closed or foreign handles are simply left alone.
        return new Result.Done();
    }

    private Result setContents(Command.SetContents c) {
        HandleRecord h = openHandle(c.sessionId(), c.handleId());
        Node n = s.contentsOf(h);
        if (!Modes.canWrite(h.modeBits())) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "handle %d on %s was not opened for writing",
                    h.handleId(), s.pathOf(h.path()));
        }
        if (c.cas() && n.contentGeneration() != c.expectedGeneration()) {
            throw ChubbyException.of(ErrorCode.CAS_MISMATCH, "%s is at content generation %d, not %d",
                    s.pathOf(h.path()), n.contentGeneration(), c.expectedGeneration());
        }
        Node updated = n.withContents(c.contents(), c.nowMillis());
        s.putNode(s.pathOf(h.path()).storageKey(), updated);
        return new Result.Written(updated.stat());
    }

    private Result setAcl(Command.SetAcl a) {
        HandleRecord h = openHandle(a.sessionId(), a.handleId());
        Node n = s.nodeOf(h);
        if (!Modes.canChangeAcl(h.modeBits())) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "handle %d on %s was not opened for change-ACL",
                    h.handleId(), s.pathOf(h.path()));
        }
        Node updated = n.withAcls(a.readAcl(), a.writeAcl(), a.changeAcl(), a.nowMillis());
        s.putNode(s.pathOf(h.path()).storageKey(), updated);
        return new Result.Written(updated.stat());
    }

    private Result delete(Command.Delete d) {
        HandleRecord h = openHandle(d.sessionId(), d.handleId());
        Node n = s.nodeOf(h);
        NodePath path = s.pathOf(h.path());
        if (!Modes.canWrite(h.modeBits())) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "handle %d on %s was not opened for writing",
                    h.handleId(), path);
        }
        if (path.isRoot()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the cell root cannot be deleted");
        }
        if (n.directory() && s.layout().crossesGroups(path)) {
            // Its children live in another group: the delete is an intent, completed by C's master (4.2).
            return new DirectoryApplier(s).deleteRequested(path, n, index);
        }
        if (n.directory() && s.hasChildren(path)) {
            throw ChubbyException.of(ErrorCode.NOT_EMPTY, "directory %s is not empty", path);
        }
        s.deleteNode(path.storageKey());
        reap(path.parent());
        return new Result.Done();
    }

    private void requireSession(long sessionId) {
        if (!s.sessions.containsKey(sessionId)) {
            throw ChubbyException.of(ErrorCode.SESSION_EXPIRED, "session %d does not exist or has ended", sessionId);
        }
    }

    private HandleRecord openHandle(long sessionId, long handleId) {
        requireSession(sessionId);
        HandleRecord h = s.handles.get(handleId);
        if (h == null || h.sessionId() != sessionId) {
            throw ChubbyException.of(ErrorCode.BAD_HANDLE, "handle %d is not open in session %d", handleId,
                    sessionId);
        }
        s.locks().checkFence(h);
        return h;
    }

    private void closeHandle(long handleId) {
        HandleRecord h = s.handles.get(handleId);
        new LockApplier(s).handleClosed(h, lockDelayFrom, closeCode, closeReason);
        s.deleteHandle(handleId);
        reap(s.pathOf(h.path()));
    }

    /**
     * Deletes {@code path} if it is an ephemeral node no handle has open (a directory: and empty),
     * then tries its parent, whose last child may just have gone. A directory whose children live in
     * another group is not deleted here: a REAP_DIR intent is opened for it.
     */
    private void reap(NodePath path) {
        NodePath p = path;
        while (!p.isRoot()) {
            byte[] key = p.storageKey();
            Node n = s.nodes.get(key);
            if (n != null && n.directory() && s.layout().crossesGroups(p)) {
                // Its children are elsewhere: H decides emptiness, by a REAP_DIR intent (4.3).
                new DirectoryApplier(s).reapRequested(p, n, index);
                return;
            }
            if (n == null || !n.ephemeral() || s.openCount(n.instance()) > 0 || (n.directory() && s.hasChildren(p))
                    || PlantedBugs.ephemeralsOutliveTheirSessions) {
                return;
            }
            s.deleteNode(key);
            p = p.parent();
        }
    }
}
