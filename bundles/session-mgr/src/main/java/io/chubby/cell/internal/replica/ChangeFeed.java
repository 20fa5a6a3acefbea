package io.chubby.cell.internal.replica;

import io.chubby.cell.internal.state.Node;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.NodeChange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The change feed of one replica (SPI {@link ChangeListener}): every node change of every applied
 * entry, published by the apply thread in log order and delivered to each listener by its own
 * {@link FeedSubscriber} thread. Publishing never waits for a listener: it appends to bounded
 * per-listener queues (see {@link FeedSubscriber} for the back-pressure rule). With no listener
 * the feed costs one volatile read per applied entry. Thread-safe.
 */
public final class ChangeFeed {
    private final int queueLimit;
    private final CopyOnWriteArrayList<FeedSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();

    public ChangeFeed(int queueLimit) {
        this.queueLimit = queueLimit;
    }

    /** Starts delivering to {@code listener} the changes of entries applied from now on. */
    public void add(ChangeListener listener) {
        subscribers.add(new FeedSubscriber(listener, queueLimit, "chubby-feed-" + threads.incrementAndGet()));
    }

    /** Stops delivering to {@code listener}; changes still queued for it are dropped. */
    public void remove(ChangeListener listener) {
        for (FeedSubscriber s : subscribers) {
            if (s.listener() == listener && subscribers.remove(s)) {
                s.close();
            }
        }
    }

    /** True when some listener is registered (the apply thread builds changes only then). */
    public boolean active() {
        return !subscribers.isEmpty();
    }

    public int listenerCount() {
        return subscribers.size();
    }

    /** Changes dropped so far, over every listener (a metric). */
    public long droppedChanges() {
        return subscribers.stream().mapToLong(FeedSubscriber::dropped).sum();
    }

    /** Apply thread: the node changes of entry {@code index}, with the state checksum after it. */
    void publish(long index, long epoch, long stateChecksum,
                 List<io.chubby.cell.internal.state.NodeChange> changes) {
        if (changes.isEmpty() || subscribers.isEmpty()) {
            return;
        }
        List<NodeChange> out = new ArrayList<>(changes.size());
        for (io.chubby.cell.internal.state.NodeChange c : changes) {
            out.add(convert(index, epoch, stateChecksum, c));
        }
        List<NodeChange> batch = List.copyOf(out);
        for (FeedSubscriber s : subscribers) {
            s.offer(batch);
        }
    }

    /** Apply thread: entries {@code from..to} reached the state without their changes (snapshot install). */
    void gap(long from, long to, String reason) {
        for (FeedSubscriber s : subscribers) {
            s.gap(from, to, reason);
        }
    }

    /** Stops every delivery thread. */
    public void close() {
        for (FeedSubscriber s : subscribers) {
            s.close();
        }
        subscribers.clear();
    }

    static NodeChange convert(long index, long epoch, long stateChecksum, io.chubby.cell.internal.state.NodeChange c) {
        Node n = c.node();
        NodeChange.Kind kind = switch (c.kind()) {
            case CREATED -> NodeChange.Kind.CREATED;
            case MODIFIED -> c.contentsChanged() ? NodeChange.Kind.CONTENTS_CHANGED : NodeChange.Kind.ACL_CHANGED;
            case DELETED -> NodeChange.Kind.DELETED;
        };
        var stat = n.stat();
        return new NodeChange(index, epoch, c.path(), kind, n.instance(), n.contentGeneration(), n.aclGeneration(),
                n.lockGeneration(), stat.checksum(), stat.size(), n.directory(), n.ephemeral(), stateChecksum);
    }
}
