package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;
import io.chubby.api.Stat;

/**
 * One file or directory as stored in table {@value CellState#NODES} under its
 * {@link io.chubby.api.NodePath#storageKey()}. Immutable: every change stores a new record.
 */
public record Node(long instance, long contentGeneration, long lockGeneration, long aclGeneration,
                   boolean directory, boolean ephemeral, String readAcl, String writeAcl, String changeAcl,
                   long createdMillis, long modifiedMillis, byte[] contents) {

    private static final int VERSION = 1;

    public Node {
        contents = contents == null ? new byte[0] : contents;
        readAcl = readAcl == null ? "" : readAcl;
        writeAcl = writeAcl == null ? "" : writeAcl;
        changeAcl = changeAcl == null ? "" : changeAcl;
    }

    public Stat stat() {
        return new Stat(instance, contentGeneration, lockGeneration, aclGeneration, Hash64.fnv1a(contents),
                contents.length, directory, ephemeral, readAcl, writeAcl, changeAcl, createdMillis, modifiedMillis);
    }

    Node withContents(byte[] c, long nowMillis) {
        return new Node(instance, contentGeneration + 1, lockGeneration, aclGeneration, directory, ephemeral,
                readAcl, writeAcl, changeAcl, createdMillis, nowMillis, c);
    }

    Node withAcls(String r, String w, String c, long nowMillis) {
        return new Node(instance, contentGeneration, lockGeneration, aclGeneration + 1, directory, ephemeral,
                r, w, c, createdMillis, nowMillis, contents);
    }

    /** The lock went from free to held: a new lock generation (contents and times unchanged). */
    Node withNextLockGeneration() {
        return new Node(instance, contentGeneration, lockGeneration + 1, aclGeneration, directory, ephemeral,
                readAcl, writeAcl, changeAcl, createdMillis, modifiedMillis, contents);
    }

    byte[] encode() {
        return new Codec.Out().u8(VERSION).i64(instance).i64(contentGeneration).i64(lockGeneration)
                .i64(aclGeneration).bool(directory).bool(ephemeral).str(readAcl).str(writeAcl).str(changeAcl)
                .i64(createdMillis).i64(modifiedMillis).bytes(contents).toBytes();
    }

    static Node decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "node record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown node record version");
        }
        Node n = new Node(in.i64(), in.i64(), in.i64(), in.i64(), in.bool(), in.bool(), in.str(), in.str(),
                in.str(), in.i64(), in.i64(), in.bytes());
        in.end();
        return n;
    }
}
