package io.chubby.cell.internal.state;

import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/** Stable byte encoding of {@link Command}s: a tag byte, then the fields in declaration order. */
public final class CommandCodec {
    private static final int NOOP = 0;
    private static final int INIT = 1;
    private static final int CREATE_SESSIONS = 2;
    private static final int END_SESSION = 3;
    private static final int OPEN = 4;
    private static final int CLOSE = 5;
    private static final int SET_CONTENTS = 6;
    private static final int SET_ACL = 7;
    private static final int DELETE = 8;
    private static final int ACQUIRE = 9;
    private static final int RELEASE = 10;
    private static final int CANCEL_WAIT = 11;
    private static final int LOCK_DELAY_EXPIRED = 12;
    private static final int SET_SEQUENCER = 13;
    /** CreateSessions with principals (tag 2 is kept for batches of anonymous sessions only). */
    private static final int CREATE_SESSIONS_OWNED = 14;
    private static final int GUARDED = 15;
    private static final int SET_PARTITIONS = 16;
    private static final int SET_LEASE_CEILING = 17;
    private static final int ANCHOR_DIR = 18;
    private static final int SEAL_DIR = 19;
    private static final int DROP_ANCHOR = 20;
    private static final int DELETE_SEALED_DIR = 21;
    private static final int DIR_INTENT_DONE = 22;
    private static final int ACL_COPY = 23;
    private static final int OPEN_ANCHOR = 24;
    private static final int RESOLVE_DIR = 25;
    private static final int REAP_IF_EMPTY = 26;

    private CommandCodec() {
    }

    public static byte[] encode(Command c) {
        Codec.Out o = new Codec.Out();
        if (c instanceof Command.Noop) {
            o.u8(NOOP);
        } else if (c instanceof Command.InitCell i) {
            o.u8(INIT).bytes(i.secret()).i64(i.nowMillis());
            if (i.group() != 0) {
                o.i32(i.group()); // appended: group 0's entry keeps the bytes of every earlier version
            }
        } else if (c instanceof Command.SetPartitions p) {
            o.u8(SET_PARTITIONS).i32(p.partitions()).str(p.hashName()).i32(p.slots());
        } else if (c instanceof Command.SetLeaseCeiling l) {
            o.u8(SET_LEASE_CEILING).i64(l.millis());
        } else if (c instanceof Command.CreateSessions s) {
            // A batch of anonymous sessions keeps the old encoding, which replicas of every version read.
            boolean owned = s.principals().stream().anyMatch(p -> !p.equals(SessionRecord.ANONYMOUS));
            o.u8(owned ? CREATE_SESSIONS_OWNED : CREATE_SESSIONS).i64(s.nowMillis()).i32(s.clientNames().size());
            s.clientNames().forEach(o::str);
            if (owned) {
                s.principals().forEach(o::str);
            }
        } else if (c instanceof Command.EndSession e) {
            // expired/now were appended later: old entries without them decode as (false, 0).
            o.u8(END_SESSION).i64(e.sessionId()).str(e.reason()).bool(e.expired()).i64(e.nowMillis());
        } else if (c instanceof Command.Open p) {
            o.u8(OPEN).i64(p.sessionId()).str(p.path()).i32(p.modeBits())
                    .u8(p.create().ordinal()).bool(p.directory()).bool(p.ephemeral()).bytes(p.initialContents())
                    .str(p.readAcl()).str(p.writeAcl()).str(p.changeAcl()).i32(p.eventMask())
                    .i64(p.lockDelayMillis()).i64(p.nowMillis());
        } else if (c instanceof Command.OpenAnchor a) {
            o.u8(OPEN_ANCHOR).i64(a.sessionId()).str(a.path()).i32(a.eventMask());
        } else if (c instanceof Command.CloseHandle h) {
            o.u8(CLOSE).i64(h.sessionId()).i64(h.handleId());
        } else if (c instanceof Command.SetContents s) {
            o.u8(SET_CONTENTS).i64(s.sessionId()).i64(s.handleId())
                    .bytes(s.contents()).bool(s.cas()).i64(s.expectedGeneration()).i64(s.nowMillis());
        } else if (c instanceof Command.SetAcl a) {
            o.u8(SET_ACL).i64(a.sessionId()).i64(a.handleId()).str(a.readAcl())
                    .str(a.writeAcl()).str(a.changeAcl()).i64(a.nowMillis());
        } else if (c instanceof Command.Delete d) {
            o.u8(DELETE).i64(d.sessionId()).i64(d.handleId());
        } else if (c instanceof Command.Acquire a) {
            o.u8(ACQUIRE).i64(a.sessionId()).i64(a.handleId()).u8(a.mode()).bool(a.tryOnly()).i64(a.nowMillis());
        } else if (c instanceof Command.Release r) {
            o.u8(RELEASE).i64(r.sessionId()).i64(r.handleId()).i64(r.nowMillis());
        } else if (c instanceof Command.CancelWait w) {
            o.u8(CANCEL_WAIT).i64(w.sessionId()).i64(w.handleId()).i64(w.nowMillis());
        } else if (c instanceof Command.LockDelayExpired d) {
            o.u8(LOCK_DELAY_EXPIRED).str(d.path()).i64(d.nowMillis());
        } else if (c instanceof Command.SetSequencer q) {
            o.u8(SET_SEQUENCER).i64(q.sessionId()).i64(q.handleId()).bytes(q.sequencer());
        } else if (c instanceof Command.AnchorDir a) {
            o.u8(ANCHOR_DIR).str(a.path()).i64(a.instance()).str(a.readAcl()).str(a.writeAcl()).str(a.changeAcl())
                    .i64(a.aclGeneration()).bool(a.ephemeral());
        } else if (c instanceof Command.SealDir d) {
            o.u8(SEAL_DIR).str(d.path()).i64(d.instance()).i64(d.txid());
        } else if (c instanceof Command.DropAnchor d) {
            o.u8(DROP_ANCHOR).str(d.path()).i64(d.instance()).i64(d.txid());
        } else if (c instanceof Command.DeleteSealedDir d) {
            o.u8(DELETE_SEALED_DIR).i64(d.txid());
        } else if (c instanceof Command.DirIntentDone d) {
            o.u8(DIR_INTENT_DONE).i64(d.txid()).u8(d.outcome().ordinal());
        } else if (c instanceof Command.ResolveDir d) {
            o.u8(RESOLVE_DIR).str(d.path());
        } else if (c instanceof Command.ReapIfEmpty d) {
            o.u8(REAP_IF_EMPTY).str(d.path()).i64(d.instance());
        } else if (c instanceof Command.AclCopy a) {
            o.u8(ACL_COPY).str(a.path()).i64(a.instance()).i64(a.generation()).bytes(a.contents()).bool(a.deleted())
                    .bool(a.pending()).i64(a.stamp());
        } else if (c instanceof Command.Guarded g) {
            o.u8(GUARDED).i32(g.acls().size());
            g.acls().forEach(a -> o.str(a.path()).i64(a.instance()).i64(a.generation()));
            o.bytes(encode(g.command()));
        } else {
            throw new IllegalStateException("unhandled command " + c);
        }
        return o.toBytes();
    }

    /** Decodes a command; an empty array is the consensus no-op. Malformed bytes: INTERNAL. */
    public static Command decode(byte[] b) {
        if (b.length == 0) {
            return new Command.Noop();
        }
        Codec.In in = new Codec.In(b, ErrorCode.INTERNAL, "command");
        int tag = in.u8();
        Command c = switch (tag) {
            case NOOP -> new Command.Noop();
            case INIT -> {
                byte[] secret = in.bytes();
                long now = in.i64();
                int group = in.more() ? in.i32() : 0;
                if (group < 0) {
                    throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "bad group " + group);
                }
                yield new Command.InitCell(secret, now, group);
            }
            case SET_PARTITIONS -> new Command.SetPartitions(in.i32(), in.str(), in.i32());
            case SET_LEASE_CEILING -> {
                long ms = in.i64();
                if (ms <= 0) {
                    throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "bad lease ceiling " + ms);
                }
                yield new Command.SetLeaseCeiling(ms);
            }
            case CREATE_SESSIONS, CREATE_SESSIONS_OWNED -> {
                long now = in.i64();
                int n = count(in, b);
                List<String> names = strings(in, n);
                yield tag == CREATE_SESSIONS ? new Command.CreateSessions(names, now)
                        : new Command.CreateSessions(names, strings(in, n), now);
            }
            case GUARDED -> {
                int n = count(in, b);
                List<Command.AclVersion> acls = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    acls.add(new Command.AclVersion(in.str(), in.i64(), in.i64()));
                }
                Command inner = decode(in.bytes());
                if (inner instanceof Command.Guarded || inner instanceof Command.Noop || n == 0) {
                    throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "malformed guarded command");
                }
                yield new Command.Guarded(acls, inner);
            }
            case END_SESSION -> {
                long id = in.i64();
                String reason = in.str();
                yield in.more() ? new Command.EndSession(id, reason, in.bool(), in.i64())
                        : new Command.EndSession(id, reason);
            }
            case OPEN -> new Command.Open(in.i64(), in.str(), in.i32(), createMode(in.u8()), in.bool(), in.bool(),
                    in.bytes(), in.str(), in.str(), in.str(), in.i32(), in.i64(), in.i64());
            case CLOSE -> new Command.CloseHandle(in.i64(), in.i64());
            case OPEN_ANCHOR -> new Command.OpenAnchor(in.i64(), in.str(), in.i32());
            case SET_CONTENTS -> new Command.SetContents(in.i64(), in.i64(), in.bytes(), in.bool(), in.i64(),
                    in.i64());
            case SET_ACL -> new Command.SetAcl(in.i64(), in.i64(), in.str(), in.str(), in.str(), in.i64());
            case DELETE -> new Command.Delete(in.i64(), in.i64());
            case ACQUIRE -> new Command.Acquire(in.i64(), in.i64(), in.u8(), in.bool(), in.i64());
            case RELEASE -> new Command.Release(in.i64(), in.i64(), in.i64());
            case CANCEL_WAIT -> new Command.CancelWait(in.i64(), in.i64(), in.i64());
            case LOCK_DELAY_EXPIRED -> new Command.LockDelayExpired(in.str(), in.i64());
            case SET_SEQUENCER -> new Command.SetSequencer(in.i64(), in.i64(), in.bytes());
            case ANCHOR_DIR -> new Command.AnchorDir(in.str(), in.i64(), in.str(), in.str(), in.str(), in.i64(),
                    in.bool());
            case SEAL_DIR -> new Command.SealDir(in.str(), in.i64(), in.i64());
            case DROP_ANCHOR -> new Command.DropAnchor(in.str(), in.i64(), in.i64());
            case DELETE_SEALED_DIR -> new Command.DeleteSealedDir(in.i64());
            case DIR_INTENT_DONE -> new Command.DirIntentDone(in.i64(), outcome(in.u8()));
            case RESOLVE_DIR -> new Command.ResolveDir(in.str());
            case REAP_IF_EMPTY -> new Command.ReapIfEmpty(in.str(), in.i64());
            case ACL_COPY -> new Command.AclCopy(in.str(), in.i64(), in.i64(), in.bytes(), in.bool(), in.bool(),
                    in.i64());
            default -> throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "unknown command tag " + tag);
        };
        in.end();
        return c;
    }

    private static int count(Codec.In in, byte[] b) {
        int n = in.i32();
        if (n < 0 || n > b.length) {
            throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "bad count " + n);
        }
        return n;
    }

    private static List<String> strings(Codec.In in, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.str());
        }
        return out;
    }

    private static Result.DirOutcome.Outcome outcome(int ordinal) {
        Result.DirOutcome.Outcome[] all = Result.DirOutcome.Outcome.values();
        if (ordinal >= all.length) {
            throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "bad directory outcome " + ordinal);
        }
        return all[ordinal];
    }

    private static CreateMode createMode(int ordinal) {
        CreateMode[] all = CreateMode.values();
        if (ordinal >= all.length) {
            throw new io.chubby.api.ChubbyException(ErrorCode.INTERNAL, "bad create mode " + ordinal);
        }
        return all[ordinal];
    }
}
