package io.chubby.cell.internal.state;

/** Open-mode bits, equal to the wire enum OpenModeBit. WRITE and CHANGE_ACL include READ. */
public final class Modes {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CHANGE_ACL = 4;
    public static final int ALL = READ | WRITE | CHANGE_ACL;

    private Modes() {
    }

    /** Normalises client bits: none means READ; any mode implies READ. */
    public static int normalise(int bits) {
        return (bits & ALL) | READ;
    }

    public static boolean canWrite(int bits) {
        return (bits & WRITE) != 0;
    }

    public static boolean canChangeAcl(int bits) {
        return (bits & CHANGE_ACL) != 0;
    }
}
