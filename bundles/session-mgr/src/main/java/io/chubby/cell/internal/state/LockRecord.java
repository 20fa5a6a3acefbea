package io.chubby.cell.internal.state;

import io.chubby.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated lock state of one node (table {@value LockTable#LOCKS}, key = the node's storage
 * key): who holds it, who waits (FIFO), and until when a lock-delay keeps it unavailable. A node
 * with no holders, no waiters and no delay has no record at all. The lock generation lives in the
 * node itself ({@link Node#lockGeneration()}). Immutable.
 *
 * @param instance         node instance the record belongs to (a re-created node starts afresh)
 * @param holders          in grant order; one EXCLUSIVE holder or any number of SHARED ones
 * @param waiters          FIFO; the first is served next
 * @param delayUntilMillis 0, or the master time until which nobody may be granted the lock
 */
public record LockRecord(long instance, List<Party> holders, List<Party> waiters, long delayUntilMillis) {
    public static final int EXCLUSIVE = 0;
    public static final int SHARED = 1;
    private static final int VERSION = 1;

    /** A handle holding or waiting for the lock, in {@code mode} ({@link #EXCLUSIVE} or {@link #SHARED}). */
    public record Party(long handleId, long sessionId, int mode) {
    }

    public LockRecord {
        holders = List.copyOf(holders);
        waiters = List.copyOf(waiters);
    }

    static LockRecord empty(long instance) {
        return new LockRecord(instance, List.of(), List.of(), 0);
    }

    boolean isEmpty() {
        return holders.isEmpty() && waiters.isEmpty() && delayUntilMillis == 0;
    }

    /** The mode the lock is held in, or -1 when free. */
    public int heldMode() {
        return holders.isEmpty() ? -1 : holders.get(0).mode();
    }

    public Party holder(long handleId) {
        return find(holders, handleId);
    }

    public Party waiter(long handleId) {
        return find(waiters, handleId);
    }

    private static Party find(List<Party> parties, long handleId) {
        for (Party p : parties) {
            if (p.handleId() == handleId) {
                return p;
            }
        }
        return null;
    }

    LockRecord withHolders(List<Party> h) {
        return new LockRecord(instance, h, waiters, delayUntilMillis);
    }

    LockRecord withWaiters(List<Party> w) {
        return new LockRecord(instance, holders, w, delayUntilMillis);
    }

    LockRecord withDelayUntil(long until) {
        return new LockRecord(instance, holders, waiters, until);
    }

    static List<Party> without(List<Party> parties, long handleId) {
        List<Party> out = new ArrayList<>(parties.size());
        for (Party p : parties) {
            if (p.handleId() != handleId) {
                out.add(p);
            }
        }
        return out;
    }

    static List<Party> with(List<Party> parties, Party p) {
        List<Party> out = new ArrayList<>(parties);
        out.add(p);
        return out;
    }

    byte[] encode() {
        Codec.Out o = new Codec.Out().u8(VERSION).i64(instance).i64(delayUntilMillis);
        parties(o, holders);
        parties(o, waiters);
        return o.toBytes();
    }

    private static void parties(Codec.Out o, List<Party> parties) {
        o.i32(parties.size());
        for (Party p : parties) {
            o.i64(p.handleId()).i64(p.sessionId()).u8(p.mode());
        }
    }

    static LockRecord decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "lock record");
        if (in.u8() != VERSION) {
            throw new IllegalStateException("unknown lock record version");
        }
        long instance = in.i64();
        long delay = in.i64();
        List<Party> holders = parties(in, b.length);
        List<Party> waiters = parties(in, b.length);
        in.end();
        return new LockRecord(instance, holders, waiters, delay);
    }

    private static List<Party> parties(Codec.In in, int max) {
        int n = in.i32();
        if (n < 0 || n > max) {
            throw new IllegalStateException("bad party count " + n + " in lock record");
        }
        List<Party> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Party(in.i64(), in.i64(), in.u8()));
        }
        return out;
    }

    public static String modeName(int mode) {
        return mode == SHARED ? "SHARED" : "EXCLUSIVE";
    }
}
