package io.chubby.api;

/**
 * An event delivered to a session, in order per session.
 *
 * @param type       what happened
 * @param path       the node the subscribing handle refers to
 * @param child      for CHILD_* events, the child's name; otherwise null
 * @param generation the relevant generation after the change (content, lock or instance), or 0
 */
public record Event(EventType type, String path, String child, long generation) {
}
