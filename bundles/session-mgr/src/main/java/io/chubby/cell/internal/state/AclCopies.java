package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The copies of the ACL files a group keeps when another partition holds them (table
 * {@value #TABLE}, docs/PARTITIONING.md section 4.3): ACL files are {@code /acl/<name>}, all in
 * partition A = {@code partitionOfChildren("/acl")}; every other group of a partitioned cell keeps
 * one {@link CopiedAcl} per file, written only by {@link Command.AclCopy} entries its master
 * proposes for A's master. So the authorizer's view and the compare-at-apply of guards read local
 * state only. Empty in a cell of one partition and in group A. Same threading as CellState.
 */
public final class AclCopies {
    public static final String TABLE = "aclcopy";
    /** The directory holding the ACL files (cell-relative). */
    public static final String DIRECTORY = "/acl";

    private final CellState s;
    private final TreeMap<String, CopiedAcl> copies = new TreeMap<>();

    AclCopies(CellState state) {
        this.s = state;
    }

    /** Whether {@code cellRelative} names an ACL file: a direct child of {@value #DIRECTORY}. */
    public static boolean isAclFile(String cellRelative) {
        return cellRelative != null && cellRelative.startsWith(DIRECTORY + "/")
                && cellRelative.length() > DIRECTORY.length() + 1
                && cellRelative.indexOf('/', DIRECTORY.length() + 1) < 0;
    }

    /** A, the partition holding the ACL files of a cell partitioned as {@code layout}. */
    public static int aclPartition(String cell, Partitions layout) {
        return layout.partitionOfChildren(NodePath.parse("/ls/" + cell + DIRECTORY));
    }

    /** Whether this group reads ACL files from its copies (partitioned, and not A). */
    public boolean copied() {
        return s.layout().partitioned() && aclPartition(s.cell(), s.layout()) != s.group;
    }

    /** Whether this group holds the ACL files themselves in a partitioned cell (its master keeps the copies coherent). */
    public boolean holdsAclFiles() {
        return s.layout().partitioned() && aclPartition(s.cell(), s.layout()) == s.group;
    }

    /** The copy of ACL file {@code cellRelative}, or null when none was ever received. */
    public CopiedAcl copyOf(String cellRelative) {
        return copies.get(cellRelative);
    }

    /** Names of the copies of files that exist (not deleted), in name order. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        copies.forEach((k, v) -> {
            if (!v.absent()) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * Applies a copy from A: ignored unless its stamp is newer than the copy's (a late or duplicated
     * message); a pending copy marks the file as being changed (keeping the version it had), a final
     * one replaces version and contents and ends the pending.
     */
    Result apply(Command.AclCopy c) {
        if (!isAclFile(c.path())) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s is not an ACL file (%s/<name>)", c.path(),
                    DIRECTORY);
        }
        if (!copied()) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "group %d keeps no ACL copies: it holds the ACL "
                    + "files itself, or the cell has one partition", s.group);
        }
        if (PlantedBugs.aclCopySkipped && c.pending()) {
            return new Result.Done();
        }
        CopiedAcl old = copies.get(c.path());
        if (old != null && c.stamp() <= old.stamp()) {
            return new Result.Done();
        }
        CopiedAcl now;
        if (c.pending()) {
            now = old == null ? new CopiedAcl(0, 0, new byte[0], true, c.stamp())
                    : new CopiedAcl(old.instance(), old.generation(), old.contents(), true, c.stamp());
        } else {
            now = c.deleted() ? new CopiedAcl(0, 0, new byte[0], false, c.stamp())
                    : new CopiedAcl(c.instance(), c.generation(), c.contents(), false, c.stamp());
        }
        put(c.path(), now);
        return new Result.Done();
    }

    /**
     * Compare-at-apply against the copy: nothing when {@code v} is the copy's version and no change
     * of the file is under way; else CELL_UNAVAILABLE (nothing applied, the call is decided again).
     */
    void checkGuard(Command.AclVersion v) {
        CopiedAcl c = copies.get(v.path());
        String name = "/ls/" + s.cell() + v.path();
        if (c != null && c.pending()) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "the ACL file %s is being changed (its copy in "
                    + "partition %d is pending): nothing was applied; retry", name, s.group);
        }
        long instance = c == null ? 0 : c.instance();
        long generation = c == null ? 0 : c.generation();
        if (instance != v.instance() || generation != v.generation()) {
            throw ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "the ACL file %s changed while the call was in "
                    + "flight: nothing was applied; retry (the call is decided again on the new ACL)", name);
        }
    }

    private void put(String path, CopiedAcl c) {
        byte[] key = path.getBytes(StandardCharsets.UTF_8);
        CopiedAcl old = copies.put(path, c);
        s.record(TABLE, key, old == null ? null : old.encode(), c.encode(), () -> {
            if (old == null) {
                copies.remove(path);
            } else {
                copies.put(path, old);
            }
        });
    }

    void records(TreeMap<byte[], byte[]> rows) {
        copies.forEach((k, v) -> rows.put(k.getBytes(StandardCharsets.UTF_8), v.encode()));
    }

    boolean load(String table, byte[] key, byte[] value) {
        if (!TABLE.equals(table)) {
            return false;
        }
        copies.put(new String(key, StandardCharsets.UTF_8), CopiedAcl.decode(value));
        return true;
    }

    void clear() {
        copies.clear();
    }

    /**
     * One ACL file as copied: its version (instance 0 and generation 0: the file does not exist),
     * contents, whether a change of it is under way in A, and the stamp of the copy that wrote it.
     */
    public record CopiedAcl(long instance, long generation, byte[] contents, boolean pending, long stamp) {
        /** Whether the file does not exist (as far as this copy knows). */
        public boolean absent() {
            return instance == 0;
        }

        /**
         * The file's metadata as a reader of the copy sees it: version, checksum and size of the
         * contents; lock generation, ACL names and times are not copied (zero and empty).
         */
        public io.chubby.api.Stat stat() {
            return new io.chubby.api.Stat(instance, generation, 0, 0, Hash64.fnv1a(contents), contents.length, false,
                    false, "", "", "", 0, 0);
        }

        byte[] encode() {
            return new Codec.Out().u8(1).i64(instance).i64(generation).bytes(contents).bool(pending).i64(stamp)
                    .toBytes();
        }

        static CopiedAcl decode(byte[] b) {
            Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "ACL copy");
            in.u8();
            CopiedAcl c = new CopiedAcl(in.i64(), in.i64(), in.bytes(), in.bool(), in.i64());
            in.end();
            return c;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CopiedAcl c && c.instance == instance && c.generation == generation
                    && Arrays.equals(c.contents, contents) && c.pending == pending && c.stamp == stamp;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(instance * 31 + generation) ^ Arrays.hashCode(contents) ^ Long.hashCode(stamp);
        }
    }
}
