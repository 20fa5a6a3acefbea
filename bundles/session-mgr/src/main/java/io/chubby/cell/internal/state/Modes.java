package io.chubby.cell.internal.state;

/** Open-mode bits, equal to the wire enum OpenModeBit. WRITE and CHANGE_ACL include READ. */
public final class Modes {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CHANGE_ACL = 4;
    public static final int ALL = READ | WRITE | CHANGE_ACL;
    /**
     * Not a wire bit (clients cannot set it: {@link #normalise} drops it): the handle is an anchor
     * handle on a directory whose node lives in another group (docs/PARTITIONING.md 4.3).
     */
    public static final int ANCHOR = 1 << 8;

    private Modes() {
    }

    /** Normalises client bits: none means READ; any mode implies READ. */
    public static int normalise(int bits) {
        return (bits & ALL) | READ;
    }

    public static boolean canWrite(int bits) {
        return (bits & WRITE) != 0;
    }

    /** Whether the handle is an anchor handle (its directory's listing and child events only). */
    public static boolean isAnchor(int bits) {
        return (bits & ANCHOR) != 0;
    }

    public static boolean canChangeAcl(int bits) {
        return (bits & CHANGE_ACL) != 0;
    }
}
