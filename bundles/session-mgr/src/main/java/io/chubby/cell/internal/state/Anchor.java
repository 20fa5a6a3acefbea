package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;

/**
 * Directory D's record in H, the group holding D's children when D's node lives in another group C
 * (table {@value DirectoryTables#ANCHORS}, key = D's storage key; docs/PARTITIONING.md section 4.1).
 * A create of {@code D/C} in H checks it instead of the remote node: LIVE admits the create (and
 * gives the ACL names children inherit), SEALED refuses it (D is being deleted), DROPPED is the
 * tombstone of a deleted instance (a late {@code AnchorDir} of that instance must not bring it back).
 *
 * @param sealedBy   the txid of the delete intent that sealed it; 0 while LIVE
 * @param refusedUpTo the highest txid H answered NOT_EMPTY: a late SealDir of that intent or an older
 *                    one (which C has ended) is answered NOT_EMPTY again, never sealed
 */
public record Anchor(long instance, State state, long sealedBy, long refusedUpTo, String readAcl, String writeAcl,
                     String changeAcl, long aclGeneration, boolean ephemeral) {

    /** LIVE admits creates; SEALED (never unsealed) and DROPPED refuse them. */
    public enum State { LIVE, SEALED, DROPPED }

    private static final int VERSION = 1;

    public Anchor {
        readAcl = readAcl == null ? "" : readAcl;
        writeAcl = writeAcl == null ? "" : writeAcl;
        changeAcl = changeAcl == null ? "" : changeAcl;
    }

    Anchor sealed(long txid) {
        return new Anchor(instance, State.SEALED, txid, refusedUpTo, readAcl, writeAcl, changeAcl, aclGeneration,
                ephemeral);
    }

    Anchor dropped() {
        return new Anchor(instance, State.DROPPED, sealedBy, refusedUpTo, readAcl, writeAcl, changeAcl, aclGeneration,
                ephemeral);
    }

    Anchor refused(long txid) {
        return new Anchor(instance, state, sealedBy, Math.max(refusedUpTo, txid), readAcl, writeAcl, changeAcl,
                aclGeneration, ephemeral);
    }

    byte[] encode() {
        return new Codec.Out().u8(VERSION).i64(instance).u8(state.ordinal()).i64(sealedBy).i64(refusedUpTo).str(readAcl)
                .str(writeAcl).str(changeAcl).i64(aclGeneration).bool(ephemeral).toBytes();
    }

    static Anchor decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "anchor record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown anchor record version");
        }
        long instance = in.i64();
        int state = in.u8();
        if (state >= State.values().length) {
            throw new IllegalStateException("bad anchor state " + state);
        }
        Anchor a = new Anchor(instance, State.values()[state], in.i64(), in.i64(), in.str(), in.str(), in.str(), in.i64(),
                in.bool());
        in.end();
        return a;
    }
}
