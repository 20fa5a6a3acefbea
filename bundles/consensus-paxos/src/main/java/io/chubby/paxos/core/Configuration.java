package io.chubby.paxos.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * A configuration: the replicas whose majorities decide (CORE-API.md "Changing the members").
 * Configurations travel in the log as ordinary entries whose value starts with byte 0 (a protobuf
 * message, what the edge proposes otherwise, never does; an empty value is a no-op): byte 0,
 * {@code 'M'}, the number of members, one byte per member id (1..255, ascending), then bytes the
 * edge attaches (its address book), which the core never reads.
 *
 * @param members the replica ids, ascending; empty only for a replica that joins and knows none yet
 */
public record Configuration(Set<Integer> members) {

    /** What a joining replica starts with: it cannot campaign before the log gives it one. */
    public static final Configuration NONE = new Configuration(Set.of());

    private static final byte MARK = 'M';

    public Configuration {
        TreeSet<Integer> sorted = new TreeSet<>(members);
        for (int r : sorted) {
            if (r < 1 || r > 255) {
                throw new IllegalArgumentException("replica id out of 1..255: " + r);
            }
        }
        members = java.util.Collections.unmodifiableSet(sorted);
    }

    public static Configuration of(Collection<Integer> ids) {
        return new Configuration(new TreeSet<>(ids));
    }

    public boolean contains(int replica) {
        return members.contains(replica);
    }

    public int size() {
        return members.size();
    }

    /** Number of members that form a majority. */
    public int quorum() {
        return members.size() / 2 + 1;
    }

    /** Whether {@code ids} hold a majority of this configuration (never for {@link #NONE}). */
    public boolean majorityIn(Collection<Integer> ids) {
        if (members.isEmpty()) {
            return false;
        }
        int n = 0;
        for (int r : ids) {
            if (members.contains(r)) {
                n++;
            }
        }
        return n >= quorum();
    }

    /** True when {@code next} adds or removes exactly one member (CORE-API.md rule 1). */
    public boolean oneApart(Configuration next) {
        Set<Integer> diff = new TreeSet<>(members);
        for (int r : next.members) {
            if (!diff.remove(r)) {
                diff.add(r);
            }
        }
        return diff.size() == 1 && !next.members.isEmpty();
    }

    /** The entry value carrying this configuration and the edge's {@code attachment}. */
    public byte[] encode(byte[] attachment) {
        byte[] tail = attachment == null ? new byte[0] : attachment;
        byte[] out = new byte[3 + members.size() + tail.length];
        out[1] = MARK;
        out[2] = (byte) members.size();
        int i = 3;
        for (int r : members) {
            out[i++] = (byte) r;
        }
        System.arraycopy(tail, 0, out, i, tail.length);
        return out;
    }

    /** Whether an entry value is a configuration entry (it may still be malformed: {@link #decode}). */
    public static boolean isConfiguration(byte[] value) {
        return value.length >= 3 && value[0] == 0 && value[1] == MARK;
    }

    /** The configuration an entry value carries, or null when it carries none (or is malformed). */
    public static Configuration decode(byte[] value) {
        if (!isConfiguration(value)) {
            return null;
        }
        int n = value[2] & 0xff;
        if (n == 0 || value.length < 3 + n) {
            return null;
        }
        TreeSet<Integer> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            int r = value[3 + i] & 0xff;
            if (r == 0) {
                return null;
            }
            ids.add(r);
        }
        return ids.size() == n ? new Configuration(ids) : null;
    }

    /** The edge's bytes after the member list (empty when none or not a configuration entry). */
    public static byte[] attachment(byte[] value) {
        if (decode(value) == null) {
            return new byte[0];
        }
        return Arrays.copyOfRange(value, 3 + (value[2] & 0xff), value.length);
    }

    @Override
    public String toString() {
        return "Configuration" + members;
    }
}
