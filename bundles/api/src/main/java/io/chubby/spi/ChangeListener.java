package io.chubby.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The change feed of a replica: every change applied to the namespace, on every replica (master or
 * not), delivered in log order. Registered as OSGi services (whiteboard); the cell binds them
 * dynamically. A listener sees the changes of entries applied after it was bound; to start from a
 * consistent view, read {@link NamespaceView} and skip changes at or below its
 * {@link NamespaceView#appliedIndex()}.
 *
 * <p><b>Back-pressure:</b> the replica never waits for a listener. Each listener has its own
 * bounded queue (configuration {@code cell.feed.queue.changes} of PID {@code io.chubby.cell}) and
 * its own delivery thread. When the queue is full, further changes for that listener are dropped
 * until it has drained the queue; it is then told {@link #gap} with the indexes it missed, and
 * delivery resumes. A snapshot install (the state replaced as a whole) is also reported as a gap.
 * After a gap a listener resynchronises from {@link NamespaceView} (a mirror reconciles by
 * checksum). Exceptions thrown by a listener are logged and do not stop its delivery.
 *
 * @since 1.2
 */
@ConsumerType
public interface ChangeListener {
    /** Changes of one or more consecutive entries, in log order; one call at a time per listener. */
    void changes(List<NodeChange> changes);

    /**
     * Changes of entries {@code fromIndex..toIndex} (inclusive) were not delivered to this listener.
     *
     * @param reason why: the listener fell behind, or a snapshot replaced the state
     */
    default void gap(long fromIndex, long toIndex, String reason) {
    }
}
