package io.chubby.api;

/**
 * An event delivered to a session, in order per session.
 *
 * @param type       what happened
 * @param path       the node the subscribing handle refers to
 * @param child      for CHILD_* events, the child's name; otherwise null
 * @param generation the relevant generation after the change (content, lock or instance), or 0
 * @param partition  the partition whose session delivered it (docs/PARTITIONING.md): the node's
 *                   partition, or for MASTER_FAILED_OVER the partition whose master changed; 0 in
 *                   a cell of one partition (since 1.4.0)
 */
public record Event(EventType type, String path, String child, long generation, int partition) {

    /** An event of partition 0 (every event of a cell of one partition): the 1.3 constructor. */
    public Event(EventType type, String path, String child, long generation) {
        this(type, path, child, generation, 0);
    }
}
