package io.chubby.cell.internal.replica;

import io.chubby.spi.ChangeListener;
import io.chubby.spi.NodeChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One change-feed listener's queue and delivery thread. The back-pressure rule: at most
 * {@code limit} changes wait for the listener; a batch that does not fit is dropped, and so is
 * every later one until the listener has taken everything queued; then the listener is told
 * {@link ChangeListener#gap} with the first and last index it missed, and delivery resumes with
 * the next change. The apply thread therefore never waits, and a listener always learns what it
 * missed before it sees anything newer. Listener exceptions are logged; delivery goes on.
 *
 * <p>Threads: {@link #offer} and {@link #gap} from the apply thread, delivery on this object's
 * own daemon thread; the queue is guarded by this object's monitor.
 */
final class FeedSubscriber {
    private static final Logger log = LoggerFactory.getLogger(FeedSubscriber.class);
    /** Most changes handed to the listener in one call. */
    private static final int MAX_DELIVERY = 4096;

    private record Gap(long from, long to, String reason) {
    }

    private final ChangeListener listener;
    private final int limit;
    private final Thread thread;
    /** Batches of changes and Gap markers, in order. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int queued;
    /** While dropping: the first and last index missed; 0 when not dropping. */
    private long dropFrom;
    private long dropTo;
    private long dropped;
    private boolean closed;

    FeedSubscriber(ChangeListener listener, int limit, String threadName) {
        this.listener = listener;
        this.limit = limit;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    ChangeListener listener() {
        return listener;
    }

    synchronized long dropped() {
        return dropped;
    }

    synchronized void offer(List<NodeChange> batch) {
        if (closed) {
            return;
        }
        long first = batch.get(0).index();
        long last = batch.get(batch.size() - 1).index();
        if (dropFrom != 0 || queued + batch.size() > limit) {
            if (dropFrom == 0) {
                dropFrom = first;
                log.warn("change listener fell behind, dropping changes listener={} queued={} fromIndex={}",
                        listener.getClass().getName(), queued, first);
            }
            dropTo = last;
            dropped += batch.size();
            return;
        }
        queue.add(batch);
        queued += batch.size();
        notifyAll();
    }

    synchronized void gap(long from, long to, String reason) {
        if (closed) {
            return;
        }
        if (dropFrom != 0) {
            dropTo = Math.max(dropTo, to);
            return;
        }
        queue.add(new Gap(from, to, reason));
        notifyAll();
    }

    void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (true) {
            Object next;
            try {
                next = take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                return;
            }
            try {
                if (next instanceof Gap g) {
                    listener.gap(g.from(), g.to(), g.reason());
                } else {
                    @SuppressWarnings("unchecked")
                    List<NodeChange> changes = (List<NodeChange>) next;
                    listener.changes(changes);
                }
            } catch (RuntimeException | LinkageError e) {
                log.error("change listener failed listener={}", listener.getClass().getName(), e);
            }
        }
    }

    /** The next thing to deliver: a Gap, or every queued batch up to a gap, joined; null once closed. */
    private synchronized Object take() throws InterruptedException {
        while (!closed && queue.isEmpty() && dropFrom == 0) {
            wait();
        }
        if (closed) {
            return null;
        }
        if (queue.isEmpty()) {
            // Everything that fitted has been delivered: report what was dropped, then resume.
            Gap g = new Gap(dropFrom, dropTo, "the listener fell behind: more than " + limit
                    + " changes were waiting (cell.feed.queue.changes)");
            dropFrom = 0;
            dropTo = 0;
            return g;
        }
        if (queue.peek() instanceof Gap) {
            return queue.poll();
        }
        List<NodeChange> out = new ArrayList<>();
        while (!queue.isEmpty() && !(queue.peek() instanceof Gap) && out.size() < MAX_DELIVERY) {
            @SuppressWarnings("unchecked")
            List<NodeChange> b = (List<NodeChange>) queue.poll();
            out.addAll(b);
            queued -= b.size();
        }
        return List.copyOf(out);
    }
}
