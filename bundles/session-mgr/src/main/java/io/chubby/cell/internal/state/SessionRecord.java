package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * A session as replicated (table {@value CellState#SESSIONS}). The lease end is not here: leases
 * are the master's memory, and a new master extends every recorded session's lease on takeover.
 */
public record SessionRecord(long id, String clientName, long createdMillis) {
    private static final int VERSION = 1;

    byte[] encode() {
        return new Codec.Out().u8(VERSION).i64(id).str(clientName).i64(createdMillis).toBytes();
    }

    static SessionRecord decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "session record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown session record version");
        }
        SessionRecord s = new SessionRecord(in.i64(), in.str(), in.i64());
        in.end();
        return s;
    }
}
