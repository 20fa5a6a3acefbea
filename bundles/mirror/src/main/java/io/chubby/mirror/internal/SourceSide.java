package io.chubby.mirror.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.mirror.internal.plan.Listing;
import io.chubby.mirror.internal.plan.NodeState;
import io.chubby.mirror.internal.plan.Subtrees;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The mirror's view of the source cell through the ordinary client: one handle per source
 * directory (and the root), subscribed to its children's events, opened before the directory is listed so that
 * no change after a listing goes unnoticed. A walk that returns has read every node of the subtree
 * (any failed call throws), so its listing is authoritative.
 *
 * <p>Threads: used by the mirror's worker thread only; {@code events} is called on the client's
 * notifier thread.
 */
final class SourceSide {
    private static final Set<EventType> EVENTS = EnumSet.of(EventType.CHILD_ADDED, EventType.CHILD_REMOVED,
            EventType.CHILD_MODIFIED, EventType.CONTENTS_MODIFIED);

    private final ChubbyClient client;
    private final Subtrees subtrees;
    private final Consumer<Event> events;
    private final Map<String, Handle> watches = new HashMap<>();
    /** Directory listings kept while a batch is planned; null otherwise. */
    private Map<String, List<DirEntry>> listings;

    SourceSide(ChubbyClient client, Subtrees subtrees, Consumer<Event> events) {
        this.client = client;
        this.subtrees = subtrees;
        this.events = events;
    }

    /**
     * Every node at and below {@code relative}, watching each directory (and the root when it is a
     * file); empty when it does not exist. Stats are read afresh, never from a handle's open.
     */
    Listing walk(String relative) {
        Stat st = statOrNull(relative);
        if (st == null) {
            unwatch(relative);
            return Listing.authoritative(List.of(), 0);
        }
        List<NodeState> out = new ArrayList<>();
        out.add(NodeState.of(relative, st));
        if (st.directory() || relative.isEmpty()) {
            Handle h = watch(relative);
            if (h != null && st.directory() && !st.ephemeral()) {
                walkChildren(relative, h, out);
            }
        }
        return Listing.authoritative(out, st.instance());
    }

    /**
     * Until {@link #freshListings}, the stat of a node below the root comes from its directory's
     * listing, read once: planning a batch of N changed files of one directory then costs one
     * listing, not N stats (an Open, a GetStat and a Close each).
     */
    void snapshotListings() {
        listings = new HashMap<>();
    }

    /** Stats are read node by node again. */
    void freshListings() {
        listings = null;
    }

    private Stat statOrNull(String relative) {
        try {
            if (listings != null && !relative.isEmpty()) {
                return fromListing(relative);
            }
            return client.stat(subtrees.sourcePath(relative));
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                return null;
            }
            throw e;
        }
    }

    private Stat fromListing(String relative) {
        String path = subtrees.sourcePath(relative);
        int slash = path.lastIndexOf('/');
        String parent = path.substring(0, slash);
        List<DirEntry> entries = listings.get(parent);
        if (entries == null) {
            entries = client.list(parent); // a missing directory throws NO_SUCH_NODE: the node is gone
            listings.put(parent, entries);
        }
        String name = path.substring(slash + 1);
        for (DirEntry e : entries) {
            if (e.name().equals(name)) {
                return e.stat();
            }
        }
        return null;
    }

    private void walkChildren(String relative, Handle dir, List<NodeState> out) {
        for (DirEntry e : dir.readDir()) {
            String child = Subtrees.child(relative, e.name());
            if (e.stat().ephemeral()) {
                continue;
            }
            out.add(NodeState.of(child, e.stat()));
            if (e.stat().directory()) {
                Handle h = watch(child);
                if (h != null) {
                    walkChildren(child, h, out);
                }
            }
        }
    }

    /** The file's contents now, or null when it is gone. */
    byte[] read(String relative) {
        try {
            return client.read(subtrees.sourcePath(relative));
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                return null;
            }
            throw e;
        }
    }

    /** {@link #read} without waiting: the contents, or null when the file is gone. */
    CompletableFuture<byte[]> readAsync(String relative) {
        return client.readAsync(subtrees.sourcePath(relative)).exceptionallyCompose(t -> {
            Throwable cause = Pipeline.cause(t);
            if (cause instanceof ChubbyException e && e.code() == ErrorCode.NO_SUCH_NODE) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Closes the watches at and below {@code relative} (the source removed it). */
    void unwatch(String relative) {
        for (Iterator<Map.Entry<String, Handle>> it = watches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Handle> w = it.next();
            if (Subtrees.isWithin(w.getKey(), relative)) {
                w.getValue().closeAsync();
                it.remove();
            }
        }
    }

    int watchCount() {
        return watches.size();
    }

    private Handle watch(String relative) {
        Handle h = watches.get(relative);
        if (h != null && !h.isClosed()) {
            return h;
        }
        try {
            h = client.open(subtrees.sourcePath(relative), OpenOptions.read().withEvents(EVENTS));
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                watches.remove(relative);
                return null;
            }
            throw e;
        }
        h.addEventListener(events);
        watches.put(relative, h);
        return h;
    }
}
