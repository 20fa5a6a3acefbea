package io.chubby.sim;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * A small deterministic state machine: commands {@code key=value} set a key; the state checksum
 * is folded over every applied (index, epoch, command), so two replicas with equal checksums at an
 * index applied the same values. Has a durable copy (made by {@link #makeDurable}) that survives a
 * crash; the live state above it is lost.
 */
public final class KvStateMachine {

    /** An immutable copy of the state: what a snapshot transfers and what survives a crash. */
    public record Image(long appliedIndex, long checksum, TreeMap<String, String> data) {
        public Image {
            data = new TreeMap<>(data);
        }
    }

    private long applied;
    private long checksum = 17;
    private TreeMap<String, String> data = new TreeMap<>();
    private Image durable = new Image(0, 17, new TreeMap<>());

    public void apply(long index, long epoch, byte[] command) {
        if (index != applied + 1) {
            throw new AssertionError("apply out of order: " + index + " after " + applied);
        }
        if (command.length > 0) {
            String s = new String(command, StandardCharsets.UTF_8);
            int eq = s.indexOf('=');
            data.put(s.substring(0, Math.max(eq, 0)), s.substring(eq + 1));
        }
        long h = checksum;
        h = h * 1_000_003 + index;
        h = h * 1_000_003 + epoch;
        for (byte b : command) {
            h = h * 31 + b;
        }
        checksum = h;
        applied = index;
    }

    public long appliedIndex() {
        return applied;
    }

    public long checksum() {
        return checksum;
    }

    public Image image() {
        return new Image(applied, checksum, data);
    }

    public void makeDurable() {
        durable = image();
    }

    public long durableIndex() {
        return durable.appliedIndex();
    }

    /** Installs a snapshot and makes it durable at once. */
    public void install(Image img) {
        applied = img.appliedIndex();
        checksum = img.checksum();
        data = new TreeMap<>(img.data());
        durable = img;
    }

    public void crash() {
        install(durable);
    }
}
