package io.chubby.transport.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The first message on every outbound peer connection, sent inside an ordinary frame (so the frame
 * version check applies to it too). Fixed binary layout, all integers big-endian:
 * <pre>
 *   magic    4 bytes  "CHP1" (0x43 0x48 0x50 0x31)
 *   from     1 byte   sender replica id (1..255)
 *   to       1 byte   replica id the sender meant to reach
 *   cellLen  2 bytes  length of the cell name (0..255)
 *   cell     cellLen bytes, UTF-8
 * </pre>
 */
record PeerHandshake(int from, int to, String cell) {
    static final int MAGIC = 0x43485031;
    private static final int FIXED = 8;
    private static final int MAX_CELL = 255;

    byte[] encode() {
        byte[] name = cell.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_CELL) {
            throw new IllegalArgumentException("cell name longer than " + MAX_CELL + " bytes");
        }
        return ByteBuffer.allocate(FIXED + name.length).putInt(MAGIC).put((byte) from).put((byte) to)
                .putShort((short) name.length).put(name).array();
    }

    /** @throws IllegalArgumentException naming what is wrong with the bytes */
    static PeerHandshake decode(byte[] bytes) {
        if (bytes.length < FIXED) {
            throw new IllegalArgumentException("peer handshake of " + bytes.length + " bytes is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) {
            throw new IllegalArgumentException("first peer frame is not a handshake (bad magic)");
        }
        int from = b.get() & 0xff;
        int to = b.get() & 0xff;
        int len = b.getShort() & 0xffff;
        if (len > MAX_CELL || len != b.remaining()) {
            throw new IllegalArgumentException("peer handshake cell length " + len + " does not match the frame");
        }
        byte[] name = new byte[len];
        b.get(name);
        return new PeerHandshake(from, to, new String(name, StandardCharsets.UTF_8));
    }
}
