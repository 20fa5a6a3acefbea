package io.chubby.protocol;

import java.nio.ByteBuffer;

/**
 * The framing of both the client and the peer protocol: a 4-byte big-endian length N, then N
 * bytes made of a 2-byte big-endian protocol version and one protobuf message. Pure byte logic,
 * used by the MINA adapters of the transport and the client.
 */
public final class Frames {
    /** The protocol version this build speaks. */
    public static final int VERSION = 1;
    /** Bytes before the message: length (4) and version (2). */
    public static final int HEADER = 6;
    /** Default largest message: 256 KiB contents plus generous room for the rest; peers use more. */
    public static final int DEFAULT_MAX_MESSAGE = 1024 * 1024 + 64 * 1024;

    private Frames() {
    }

    /** Wraps one message into a frame. */
    public static byte[] encode(byte[] message) {
        byte[] out = new byte[HEADER + message.length];
        ByteBuffer.wrap(out).putInt(message.length + 2).putShort((short) VERSION).put(message);
        return out;
    }

    /**
     * Takes one complete frame's message out of {@code in} if a whole frame is there, advancing
     * its position; returns null (position unchanged) when more bytes are needed.
     *
     * @throws UnsupportedVersionException when the frame is of another version (the frame is skipped)
     * @throws FrameException when the frame is too large or too short
     */
    public static byte[] decode(ByteBuffer in, int maxMessage) throws FrameException {
        if (in.remaining() < 4) {
            return null;
        }
        int start = in.position();
        int len = in.getInt(start);
        if (len < 2) {
            throw new FrameException("frame length " + len + " is shorter than the version field");
        }
        if (len - 2 > maxMessage) {
            throw new FrameException("frame of " + (len - 2) + " bytes exceeds the limit of " + maxMessage);
        }
        if (in.remaining() < 4 + len) {
            return null;
        }
        int version = in.getShort(start + 4) & 0xffff;
        if (version != VERSION) {
            in.position(start + 4 + len);
            throw new UnsupportedVersionException(version);
        }
        byte[] msg = new byte[len - 2];
        in.position(start + HEADER);
        in.get(msg);
        return msg;
    }
}
