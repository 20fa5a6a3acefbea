package io.chubby.protocol;

/**
 * A frame that cannot be accepted (oversized, malformed, or of another version:
 * {@link UnsupportedVersionException}); the connection must close.
 */
public class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    public FrameException(String reason) {
        super(reason);
    }
}
