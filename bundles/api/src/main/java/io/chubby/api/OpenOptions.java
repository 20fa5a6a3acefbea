package io.chubby.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * Options of an Open call. Build with {@link #read()}, {@link #write()} and the {@code with}
 * methods; instances are immutable.
 *
 * @param modes          what the handle may do
 * @param create         whether to create the node
 * @param directory      when creating: make a directory instead of a file
 * @param ephemeral      when creating: make an ephemeral node
 * @param initialContents when creating a file: its contents (may be empty)
 * @param readAcl        when creating: ACL names; null means inherit from the parent
 * @param writeAcl       see readAcl
 * @param changeAcl      see readAcl
 * @param events         events this handle subscribes to
 * @param lockDelayMillis lock-delay for locks held through this handle (0 to 60,000)
 */
public record OpenOptions(Set<OpenMode> modes, CreateMode create, boolean directory, boolean ephemeral,
                          byte[] initialContents, String readAcl, String writeAcl, String changeAcl,
                          Set<EventType> events, long lockDelayMillis) {

    public static final long DEFAULT_LOCK_DELAY_MILLIS = 10_000;
    public static final long MAX_LOCK_DELAY_MILLIS = 60_000;

    public OpenOptions {
        modes = modes.isEmpty() ? Set.of(OpenMode.READ) : Set.copyOf(modes);
        events = Set.copyOf(events);
        initialContents = initialContents == null ? new byte[0] : initialContents.clone();
        if (lockDelayMillis < 0 || lockDelayMillis > MAX_LOCK_DELAY_MILLIS) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                    "lock-delay must be 0.." + MAX_LOCK_DELAY_MILLIS + " ms, was " + lockDelayMillis);
        }
    }

    public static OpenOptions read() {
        return new OpenOptions(Set.of(OpenMode.READ), CreateMode.NO, false, false, null, null, null, null,
                Set.of(), DEFAULT_LOCK_DELAY_MILLIS);
    }

    public static OpenOptions write() {
        return read().withModes(EnumSet.of(OpenMode.READ, OpenMode.WRITE));
    }

    public OpenOptions withModes(Set<OpenMode> m) {
        return new OpenOptions(m, create, directory, ephemeral, initialContents, readAcl, writeAcl, changeAcl,
                events, lockDelayMillis);
    }

    public OpenOptions withCreate(CreateMode c) {
        return new OpenOptions(modes, c, directory, ephemeral, initialContents, readAcl, writeAcl, changeAcl,
                events, lockDelayMillis);
    }

    /** Create a directory (implies create MAY unless set otherwise). */
    public OpenOptions asDirectory() {
        return new OpenOptions(modes, create == CreateMode.NO ? CreateMode.MAY : create, true, ephemeral,
                initialContents, readAcl, writeAcl, changeAcl, events, lockDelayMillis);
    }

    public OpenOptions withEphemeral(boolean e) {
        return new OpenOptions(modes, create, directory, e, initialContents, readAcl, writeAcl, changeAcl,
                events, lockDelayMillis);
    }

    public OpenOptions withInitialContents(byte[] contents) {
        return new OpenOptions(modes, create, directory, ephemeral, contents, readAcl, writeAcl, changeAcl,
                events, lockDelayMillis);
    }

    public OpenOptions withAcls(String read, String write, String change) {
        return new OpenOptions(modes, create, directory, ephemeral, initialContents, read, write, change,
                events, lockDelayMillis);
    }

    public OpenOptions withEvents(Set<EventType> e) {
        return new OpenOptions(modes, create, directory, ephemeral, initialContents, readAcl, writeAcl, changeAcl,
                e, lockDelayMillis);
    }

    public OpenOptions withLockDelayMillis(long ms) {
        return new OpenOptions(modes, create, directory, ephemeral, initialContents, readAcl, writeAcl, changeAcl,
                events, ms);
    }

    public boolean canWrite() {
        return modes.contains(OpenMode.WRITE);
    }

    @Override
    public byte[] initialContents() {
        return initialContents.clone();
    }
}
