package io.chubby.protocol;

/** A frame that cannot be accepted (oversized, wrong version, malformed); the connection must close. */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    public FrameException(String reason) {
        super(reason);
    }
}
