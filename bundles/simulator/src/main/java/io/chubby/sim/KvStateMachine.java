package io.chubby.sim;

import io.chubby.paxos.core.Configuration;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * A small deterministic state machine: commands {@code key=value} set a key; the state checksum
 * is folded over every applied (index, epoch, command), so two replicas with equal checksums at an
 * index applied the same values. Has a durable copy (made by {@link #makeDurable}) that survives a
 * crash; the live state above it is lost. Records the configuration its last applied
 * configuration entry carried (CORE-API.md "Changing the members": part of every snapshot).
 */
public final class KvStateMachine {

    /** An immutable copy of the state: what a snapshot transfers and what survives a crash. */
    public record Image(long appliedIndex, long checksum, TreeMap<String, String> data, Configuration configuration) {
        public Image {
            data = new TreeMap<>(data);
        }

        /** An image of a cell whose members never changed (the 1.4 shape). */
        public Image(long appliedIndex, long checksum, TreeMap<String, String> data) {
            this(appliedIndex, checksum, data, null);
        }
    }

    private long applied;
    private long checksum = 17;
    private TreeMap<String, String> data = new TreeMap<>();
    /** The configuration at the applied index; null: the cell's initial one, never changed. */
    private Configuration configuration;
    private Image durable = new Image(0, 17, new TreeMap<>(), null);

    /** A machine of a member of the cell's initial configuration. */
    public KvStateMachine() {
    }

    /** A machine that starts with {@code initial} as its configuration ({@link Configuration#NONE} for a joining replica). */
    public KvStateMachine(Configuration initial) {
        this.configuration = initial;
        this.durable = image();
    }

    public void apply(long index, long epoch, byte[] command) {
        if (index != applied + 1) {
            throw new AssertionError("apply out of order: " + index + " after " + applied);
        }
        Configuration c = Configuration.decode(command);
        if (c != null) {
            configuration = c;
        } else if (command.length > 0) {
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
        return new Image(applied, checksum, data, configuration);
    }

    /** The configuration at the applied index (null: the initial one, never changed). */
    public Configuration configuration() {
        return configuration;
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
        configuration = img.configuration();
        durable = img;
    }

    public void crash() {
        install(durable);
    }
}
