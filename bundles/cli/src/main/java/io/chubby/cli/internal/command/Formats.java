package io.chubby.cli.internal.command;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.client.ReplicaStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How the commands print metadata and status: stable text that scripts and tests can parse. */
public final class Formats {
    private Formats() {
    }

    public static String hex(long checksum) {
        return String.format("%016x", checksum);
    }

    public static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    public static String type(Stat s) {
        return s.directory() ? "directory" : "file";
    }

    /**
     * Every metadata field, one {@code key: value} per line (for {@code stat}); a last line
     * {@code partition: P} when the cell has more than one partition ({@code partitions} as the
     * client learned it), partition 0 included, and none for a cell of one partition.
     */
    public static List<String> statLines(String path, Stat s, int partitions) {
        List<String> out = statLines(path, s);
        if (partitions > 1) {
            out.add("partition: " + s.partition());
        }
        return out;
    }

    /** Every metadata field, one {@code key: value} per line (for {@code stat}). */
    public static List<String> statLines(String path, Stat s) {
        List<String> out = new ArrayList<>();
        out.add("path: " + path);
        out.add("type: " + type(s));
        out.add("ephemeral: " + s.ephemeral());
        out.add("instance: " + s.instance());
        out.add("content.generation: " + s.contentGeneration());
        out.add("lock.generation: " + s.lockGeneration());
        out.add("acl.generation: " + s.aclGeneration());
        out.add("checksum: " + hex(s.checksum()));
        out.add("size: " + s.size());
        out.add("acl.read: " + acl(s.readAcl()));
        out.add("acl.write: " + acl(s.writeAcl()));
        out.add("acl.change: " + acl(s.changeAcl()));
        out.add("created: " + time(s.createdMillis()));
        out.add("modified: " + time(s.modifiedMillis()));
        return out;
    }

    /** A short listing line: name, with a trailing '/' for directories. */
    public static String shortEntry(DirEntry e) {
        return e.name() + (e.stat().directory() ? "/" : "");
    }

    /** The header line of a long listing, its columns aligned with {@link #longEntry}'s. */
    public static final String LONG_HEADER = String.format("%-2s %10s %8s %-24s %s", "TE", "SIZE", "GEN", "MODIFIED", "NAME");

    /**
     * A long listing line: type ({@code d} directory, {@code -} file), ephemeral ({@code e} or
     * {@code -}), size, content generation, modification time, name.
     */
    public static String longEntry(DirEntry e) {
        Stat s = e.stat();
        return String.format("%c%c %10d %8d %s %s", s.directory() ? 'd' : '-', s.ephemeral() ? 'e' : '-',
                s.size(), s.contentGeneration(), time(s.modifiedMillis()), shortEntry(e));
    }

    /** One {@code cell status} line for a replica that answered. */
    public static String statusLine(int id, String address, ReplicaStatus s) {
        return String.format("replica=%d address=%s pid=%s role=%s epoch=%d applied=%d checksum=%s",
                s.replicaId() == 0 ? id : s.replicaId(), address, s.pid() == 0 ? "-" : Long.toString(s.pid()),
                s.role(), s.epoch(), s.appliedIndex(), hex(s.checksum()));
    }

    /** One {@code cell status} line for a replica that did not answer. */
    public static String downLine(int id, String address, String pid) {
        return String.format("replica=%d address=%s pid=%s role=down epoch=- applied=- checksum=-", id, address, pid);
    }

    /** An ACL name, or "-" when none is set. */
    public static String acl(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
