package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * The durable part of an open handle (table {@value CellState#HANDLES}), so that a new master
 * knows every handle issued by earlier epochs.
 *
 * @param path      cell-relative path of the node ("/a/b", "/" for the root)
 * @param instance  instance number of the node the handle was opened on
 * @param modeBits  {@link Modes} bits
 * @param epoch     epoch of the master that issued it
 * @param eventMask events subscribed at open (bit 1 &lt;&lt; EventKind)
 */
public record HandleRecord(long handleId, long sessionId, String path, long instance, int modeBits, long epoch,
                           int eventMask, long lockDelayMillis) {
    private static final int VERSION = 1;

    byte[] encode() {
        return new Codec.Out().u8(VERSION).i64(handleId).i64(sessionId).str(path).i64(instance).i32(modeBits)
                .i64(epoch).i32(eventMask).i64(lockDelayMillis).toBytes();
    }

    static HandleRecord decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "handle record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown handle record version");
        }
        HandleRecord h = new HandleRecord(in.i64(), in.i64(), in.str(), in.i64(), in.i32(), in.i64(), in.i32(),
                in.i64());
        in.end();
        return h;
    }

    /** The token handed to the client for this handle. */
    public HandleToken token() {
        return new HandleToken(sessionId, handleId, path, instance, modeBits, epoch);
    }
}
