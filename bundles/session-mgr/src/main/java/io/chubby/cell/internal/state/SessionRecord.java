package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * A session as replicated (table {@value CellState#SESSIONS}). The lease end is not here: leases
 * are the master's memory, and a new master extends every recorded session's lease on takeover.
 * The principal is replicated so that a session stays bound to who created it across failovers
 * (version 1 records, written before principals existed, read as {@link #ANONYMOUS}).
 */
public record SessionRecord(long id, String clientName, long createdMillis, String principal) {
    /** The principal of sessions recorded before sessions had principals, and of unauthenticated connections. */
    public static final String ANONYMOUS = "anonymous";
    private static final int VERSION = 2;

    public SessionRecord {
        principal = principal == null || principal.isEmpty() ? ANONYMOUS : principal;
    }

    byte[] encode() {
        return new Codec.Out().u8(VERSION).i64(id).str(clientName).i64(createdMillis).str(principal).toBytes();
    }

    static SessionRecord decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "session record");
        int version = in.u8();
        if (version != 1 && version != VERSION) {
            throw new IllegalStateException("unknown session record version " + version);
        }
        SessionRecord s = new SessionRecord(in.i64(), in.str(), in.i64(), version == 1 ? ANONYMOUS : in.str());
        in.end();
        return s;
    }
}
