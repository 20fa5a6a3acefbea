package io.chubby.protocol;

/**
 * A frame whose 2-byte version field names a protocol version this side does not speak. The
 * frame itself was well formed and has been skipped, so a client transport can still answer in
 * version {@link Frames#VERSION} (a typed PROTOCOL_ERROR) before it closes the connection.
 */
public final class UnsupportedVersionException extends FrameException {
    private static final long serialVersionUID = 1L;

    private final int version;

    public UnsupportedVersionException(int version) {
        super("protocol version " + version + " is not supported: this side speaks version " + Frames.VERSION);
        this.version = version;
    }

    /** The version the frame carried. */
    public int version() {
        return version;
    }
}
