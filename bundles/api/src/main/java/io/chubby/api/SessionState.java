package io.chubby.api;

/** Session states the client library reports to the application (paper section 2.8). */
public enum SessionState {
    /** The session's lease is known to be valid. */
    SAFE,
    /** The local lease ran out; the grace period runs; calls block. */
    JEOPARDY,
    /** The grace period ended without contact: the session and its handles are gone. */
    EXPIRED
}
