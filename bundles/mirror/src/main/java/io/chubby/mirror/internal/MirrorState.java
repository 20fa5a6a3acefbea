package io.chubby.mirror.internal;

/** Where one mirror is, as {@code mirror:status} reports it. */
public enum MirrorState {
    /** This replica is not master of the target cell: the mirror waits. */
    STANDBY,
    /** Connecting to the source and the target cell. */
    CONNECTING,
    /** Comparing the subtrees by checksum and writing the differences. */
    RECONCILING,
    /** Following the source's events. */
    STREAMING,
    /** The source (or the target) cannot be reached; it retries and reconciles when back. */
    CUT_OFF,
    /** The configuration is refused (a loop, overlapping targets, a bad path): it never runs. */
    REFUSED
}
