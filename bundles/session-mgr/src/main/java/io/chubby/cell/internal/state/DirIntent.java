package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * An open cross-group operation on directory D, kept by C (the group holding D's node) in table
 * {@value DirectoryTables#INTENTS} under its txid (C's log index of the entry that opened it).
 * While one is open on D, D is pending: no second intent on D starts. The phase says what C's
 * master does next (docs/PARTITIONING.md section 4.2); a new master resumes it from here.
 *
 * @param path D's cell-relative path
 */
public record DirIntent(long txid, Kind kind, String path, long instance, Phase phase) {

    /**
     * CREATE_DIR anchors a new D in H; DELETE_DIR seals, deletes and drops; REAP_DIR (an ephemeral D
     * no handle has open) takes DELETE_DIR's steps, ends at NOT_EMPTY, and deletes D only if still
     * no handle is open on it (section 4.3).
     */
    public enum Kind { CREATE_DIR, DELETE_DIR, REAP_DIR }

    /** ANCHORING: AnchorDir to H; SEALING: SealDir to H; DROPPING: D deleted, DropAnchor to H. */
    public enum Phase { ANCHORING, SEALING, DROPPING }

    private static final int VERSION = 1;

    DirIntent in(Phase next) {
        return new DirIntent(txid, kind, path, instance, next);
    }

    byte[] encode() {
        return new Codec.Out().u8(VERSION).u8(kind.ordinal()).str(path).i64(instance).u8(phase.ordinal()).toBytes();
    }

    static DirIntent decode(long txid, byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "intent record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown intent record version");
        }
        int kind = in.u8();
        String path = in.str();
        long instance = in.i64();
        int phase = in.u8();
        if (kind >= Kind.values().length || phase >= Phase.values().length) {
            throw new IllegalStateException("bad intent record");
        }
        in.end();
        return new DirIntent(txid, Kind.values()[kind], path, instance, Phase.values()[phase]);
    }
}
