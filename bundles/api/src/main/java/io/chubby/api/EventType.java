package io.chubby.api;

/** Events a handle can subscribe to at Open (paper section 2.5). */
public enum EventType {
    CONTENTS_MODIFIED,
    CHILD_ADDED,
    CHILD_REMOVED,
    CHILD_MODIFIED,
    MASTER_FAILED_OVER,
    HANDLE_INVALID,
    LOCK_ACQUIRED,
    CONFLICTING_LOCK_REQUEST
}
