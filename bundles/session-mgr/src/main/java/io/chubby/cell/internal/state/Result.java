package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Stat;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying a command produced, handed back to the proposer as bytes (see {@link #encode}).
 * A {@link Failed} result means the command changed nothing.
 */
public sealed interface Result {

    record Done() implements Result {
    }

    record Failed(ErrorCode code, String message) implements Result {
        public ChubbyException exception() {
            return new ChubbyException(code, message);
        }
    }

    record SessionsCreated(List<Long> sessionIds) implements Result {
        public SessionsCreated {
            sessionIds = List.copyOf(sessionIds);
        }
    }

    record Opened(byte[] handle, boolean created, Stat stat) implements Result {
    }

    record Written(Stat stat) implements Result {
    }

    /** Outcome of Acquire / CancelWait, with the node's lock generation. */
    record Locked(int outcome, long generation) implements Result {
        public static final int GRANTED = 0;
        public static final int BUSY = 1;
        public static final int WAITING = 2;
        public static final int CANCELLED = 3;
    }

    /**
     * The outcome of a step of a cross-group directory operation (docs/PARTITIONING.md section 4):
     * {@code txid} is the intent it belongs to (for INTENT_OPENED, the one just opened).
     */
    record DirOutcome(Outcome outcome, long txid) implements Result {
        /** What the step did. */
        public enum Outcome {
            /** A Delete (or ReapIfEmpty) of a directory whose children live in another group opened an intent. */
            INTENT_OPENED,
            /** The anchor is sealed by this intent (H). */
            SEALED,
            /** H holds no anchor of this instance (nothing to seal: no child can exist). */
            GONE,
            /** H holds a child of the directory; the anchor stays LIVE. */
            NOT_EMPTY,
            /** C deleted the node (the delete's linearization point). */
            DELETED,
            /** The step was applied (anchor recorded or dropped, intent ended). */
            APPLIED,
            /** A duplicate or late step: nothing changed. */
            STALE,
            /** ResolveDir (C): the node is a file. */
            IS_FILE,
            /** ResolveDir (C): there is no node. */
            NO_NODE,
            /** ResolveDir (C): the node is a directory (its anchor in H is being made: retry). */
            IS_DIRECTORY
        }
    }

    static Failed failed(ChubbyException e) {
        return new Failed(e.code(), e.detail());
    }

    default byte[] encode() {
        Codec.Out o = new Codec.Out();
        if (this instanceof Done) {
            o.u8(0);
        } else if (this instanceof Failed f) {
            o.u8(1).i32(f.code().wire()).str(f.message());
        } else if (this instanceof SessionsCreated s) {
            o.u8(2).i32(s.sessionIds().size());
            s.sessionIds().forEach(o::i64);
        } else if (this instanceof Opened p) {
            stat(o.u8(3).bytes(p.handle()).bool(p.created()), p.stat());
        } else if (this instanceof Written w) {
            stat(o.u8(4), w.stat());
        } else if (this instanceof Locked l) {
            o.u8(5).u8(l.outcome()).i64(l.generation());
        } else if (this instanceof DirOutcome d) {
            o.u8(6).u8(d.outcome().ordinal()).i64(d.txid());
        }
        return o.toBytes();
    }

    /** Decodes {@link #encode()}'s bytes (the edge and the simulator read apply results). */
    public static Result decode(byte[] b) {
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "apply result");
        int tag = in.u8();
        Result r = switch (tag) {
            case 0 -> new Done();
            case 1 -> new Failed(ErrorCode.fromWire(in.i32()), in.str());
            case 2 -> {
                int n = in.i32();
                List<Long> ids = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ids.add(in.i64());
                }
                yield new SessionsCreated(ids);
            }
            case 3 -> new Opened(in.bytes(), in.bool(), stat(in));
            case 4 -> new Written(stat(in));
            case 5 -> new Locked(in.u8(), in.i64());
            case 6 -> {
                int o = in.u8();
                if (o >= DirOutcome.Outcome.values().length) {
                    throw new ChubbyException(ErrorCode.INTERNAL, "bad directory outcome " + o);
                }
                yield new DirOutcome(DirOutcome.Outcome.values()[o], in.i64());
            }
            default -> throw new ChubbyException(ErrorCode.INTERNAL, "unknown result tag " + tag);
        };
        in.end();
        return r;
    }

    private static void stat(Codec.Out o, Stat s) {
        o.i64(s.instance()).i64(s.contentGeneration()).i64(s.lockGeneration()).i64(s.aclGeneration())
                .i64(s.checksum()).i64(s.size()).bool(s.directory()).bool(s.ephemeral()).str(s.readAcl())
                .str(s.writeAcl()).str(s.changeAcl()).i64(s.createdMillis()).i64(s.modifiedMillis());
    }

    private static Stat stat(Codec.In in) {
        return new Stat(in.i64(), in.i64(), in.i64(), in.i64(), in.i64(), in.i64(), in.bool(), in.bool(), in.str(),
                in.str(), in.str(), in.i64(), in.i64());
    }
}
