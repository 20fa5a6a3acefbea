package io.chubby.mirror.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.mirror.internal.plan.Listing;
import io.chubby.mirror.internal.plan.MirrorAction;
import io.chubby.mirror.internal.plan.NodeState;
import io.chubby.mirror.internal.plan.Subtrees;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The mirror's writes to its own cell, through the ordinary client (its session is the only one
 * {@link ReadOnlyFilter} lets write the target subtree). Every path it touches is built from the
 * target subtree and checked to lie in it: nothing else in the cell is ever written.
 *
 * <p>Threads: used by the mirror's worker thread only.
 */
final class TargetSide {
    private final ChubbyClient client;
    private final Subtrees subtrees;
    /** Directory listings kept while a batch is planned ({@link #snapshotListings}); null otherwise. */
    private Map<String, List<DirEntry>> listings;

    TargetSide(ChubbyClient client, Subtrees subtrees) {
        this.client = client;
        this.subtrees = subtrees;
    }

    /**
     * Until {@link #freshListings}, every directory is listed once: planning a batch of N changed
     * files of one directory then reads its listing once, not N times (each listing carries every
     * child's stat, so N listings of a directory of N files cost N squared entries). Only for
     * planning, before the batch writes anything.
     */
    void snapshotListings() {
        listings = new HashMap<>();
    }

    /** Lists afresh again (before the batch's writes). */
    void freshListings() {
        listings = null;
    }

    /** Every node at and below {@code relative} in the target. */
    Listing walk(String relative) {
        Stat st = statOrNull(subtrees.targetPath(relative));
        if (st == null) {
            return Listing.authoritative(List.of(), 0);
        }
        List<NodeState> out = new ArrayList<>();
        out.add(NodeState.of(relative, st));
        if (st.directory()) {
            walkChildren(relative, out);
        }
        return Listing.authoritative(out, st.instance());
    }

    private void walkChildren(String relative, List<NodeState> out) {
        for (DirEntry e : list(subtrees.targetPath(relative))) {
            String child = Subtrees.child(relative, e.name());
            out.add(NodeState.of(child, e.stat()));
            if (e.stat().directory()) {
                walkChildren(child, out);
            }
        }
    }

    /**
     * One cheap call in the mirror's session (the target root's entry in its parent's listing), so
     * that a quiet mirror's session is not ended as idle: it has no handle open between writes.
     */
    void touch() {
        statOrNull(subtrees.targetPath(""));
    }

    /** Applies one planned action; a file the source no longer has is skipped (its removal event follows). */
    void apply(MirrorAction action, SourceSide source) {
        String path = checked(subtrees.targetPath(action.relative()));
        if (action.relative().isEmpty()) {
            ensureAncestors();
        }
        if (action instanceof MirrorAction.MakeDirectory m) {
            NodeState s = m.source();
            close(client.open(path, OpenOptions.write().withCreate(CreateMode.MAY).asDirectory()
                    .withAcls(s.readAcl(), s.writeAcl(), s.changeAcl())));
        } else if (action instanceof MirrorAction.CopyFile c) {
            byte[] data = source.read(c.relative());
            if (data != null) {
                copy(path, data, c.source());
            }
        } else if (action instanceof MirrorAction.SetAcls a) {
            Handle h = client.open(path, OpenOptions.write());
            try {
                h.setAcl(a.source().readAcl(), a.source().writeAcl(), a.source().changeAcl());
            } finally {
                close(h);
            }
        } else if (action instanceof MirrorAction.Remove) {
            removeTree(path);
        }
    }

    /**
     * A {@link MirrorAction.CopyFile} below the target root without waiting: the source read, then
     * the Open that creates the file with its contents (or writes them over an existing one), then
     * the close. Many may be in flight at once (see {@link Pipeline}): each touches one path, and
     * its parent exists, since plans create directories first and the pipeline drains before any
     * other action.
     */
    CompletableFuture<Void> copyAsync(MirrorAction.CopyFile c, SourceSide source) {
        String path = checked(subtrees.targetPath(c.relative()));
        NodeState s = c.source();
        return source.readAsync(c.relative()).thenCompose(data -> data == null ? CompletableFuture.<Void>completedFuture(null)
                : client.openAsync(path, OpenOptions.write().withCreate(CreateMode.MAY).withInitialContents(data)
                        .withAcls(s.readAcl(), s.writeAcl(), s.changeAcl()))
                .thenCompose(h -> (h.created() ? CompletableFuture.<Void>completedFuture(null)
                        : h.setContentsAsync(data).thenApply(st -> (Void) null))
                        .whenComplete((ok, err) -> close(h))));
    }

    /** Removes {@code path} and everything below it; nothing when it is already gone. */
    void removeTree(String path) {
        checked(path);
        Stat st = statOrNull(path);
        if (st == null) {
            return;
        }
        if (st.directory()) {
            for (DirEntry e : client.list(path)) {
                removeTree(path + "/" + e.name());
            }
        }
        try {
            client.delete(path);
        } catch (ChubbyException e) {
            if (e.code() != ErrorCode.NO_SUCH_NODE) {
                throw e;
            }
        }
    }

    private void copy(String path, byte[] data, NodeState s) {
        Handle h = client.open(path, OpenOptions.write().withCreate(CreateMode.MAY).withInitialContents(data)
                .withAcls(s.readAcl(), s.writeAcl(), s.changeAcl()));
        try {
            if (!h.created()) {
                h.setContents(data);
            }
        } finally {
            close(h);
        }
    }

    /** The directories above the target root, created when missing (the root's parent must exist). */
    private void ensureAncestors() {
        List<String> parts = subtrees.target().components();
        String dir = "/ls/" + subtrees.target().cell();
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = dir + "/" + parts.get(i);
            client.ensureDirectory(dir);
        }
    }

    private String checked(String path) {
        if (!subtrees.targetContains(path)) {
            throw new IllegalStateException("mirror refused to touch " + path + " outside its target " + subtrees.target());
        }
        return path;
    }

    /**
     * The node's stat, or null when it does not exist, read from its parent's listing: an Open of
     * a missing node would sign this session up as a holder of the cached absence, and every later
     * creation of that name would wait for this session (for its whole lease, if this replica has
     * died meanwhile and the session lingers).
     */
    private Stat statOrNull(String path) {
        int slash = path.lastIndexOf('/');
        String parent = path.substring(0, slash);
        String name = path.substring(slash + 1);
        List<DirEntry> siblings;
        try {
            siblings = list(parent);
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                return null;
            }
            throw e;
        }
        for (DirEntry e : siblings) {
            if (e.name().equals(name)) {
                return e.stat();
            }
        }
        return null;
    }

    private List<DirEntry> list(String dir) {
        if (listings == null) {
            return client.list(dir);
        }
        List<DirEntry> known = listings.get(dir);
        if (known == null) {
            known = client.list(dir); // a missing directory throws, and is listed again next time
            listings.put(dir, known);
        }
        return known;
    }

    private static void close(Handle h) {
        h.closeAsync();
    }
}
