package io.chubby.cell.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.HandleToken;
import io.chubby.cell.internal.state.Modes;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Validation;
import io.chubby.protocol.Empty;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.OpenReply;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsReply;
import io.chubby.spi.ClientConnection;
import java.time.Clock;

/**
 * The file API on the master (ZooKeeper's "prep" stage): reads are answered from the in-memory
 * state; writes are validated here (path syntax and cell, size, handle check digits, session,
 * mode) and only then proposed, so a rejected call never reaches the log. Thread-safe: state
 * access goes through {@link CellStateMachine#read}.
 */
final class FileCalls {
    private final CellStateMachine machine;
    private final Proposer proposer;
    private final CellSettings settings;
    private final Clock clock;
    private final CoherentWrites writes;
    private final CacheTracker cache;

    FileCalls(CellStateMachine machine, Proposer proposer, CellSettings settings, Clock clock,
              CoherentWrites writes, CacheTracker cache) {
        this.machine = machine;
        this.proposer = proposer;
        this.settings = settings;
        this.clock = clock;
        this.writes = writes;
        this.cache = cache;
    }

    void open(ClientConnection conn, Request req) {
        OpenRequest o = req.getOpen();
        long session = req.getSessionId();
        NodePath path = resolve(session, o);
        byte[] contents = o.getInitialContents().toByteArray();
        Validation.contentSize(path.toString(), contents.length, settings.maxContentBytes());
        if (o.getLockDelayMs() > OpenOptions.MAX_LOCK_DELAY_MILLIS) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "lock-delay %d ms exceeds %d ms", o.getLockDelayMs(),
                    OpenOptions.MAX_LOCK_DELAY_MILLIS);
        }
        if (o.getCreateValue() > 2 || o.getCreateValue() < 0) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "unknown create mode %d", o.getCreateValue());
        }
        if (!machine.read(s -> s.initialised())) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet; retry shortly");
        }
        Command.Open cmd = new Command.Open(session, path.toString(), o.getModeBits(),
                CreateMode.values()[o.getCreateValue()], o.getDirectory(), o.getEphemeral(), contents,
                emptyToNull(o.getReadAcl()), emptyToNull(o.getWriteAcl()), emptyToNull(o.getChangeAcl()),
                o.getEventMask(), o.getLockDelayMs(), clock.millis());
        java.util.function.Function<Result, Response.Builder> reply = r -> {
            Result.Opened op = (Result.Opened) r;
            return Response.newBuilder().setOpen(OpenReply.newBuilder()
                    .setHandle(com.google.protobuf.ByteString.copyFrom(op.handle())).setCreated(op.created())
                    .setStat(Wire.stat(op.stat())));
        };
        if (o.getCreate() == io.chubby.protocol.Create.CREATE_NO) {
            // The client may cache a NO_SUCH_NODE answer: register before the state is read.
            cache.registerAbsence(session, path.cellRelative());
            proposer.proposeAndReply(conn, req, cmd, reply);
        } else if (o.getCreate() == io.chubby.protocol.Create.CREATE_MAY
                && machine.read(s -> s.nodeAt(path.cellRelative()) != null)) {
            writes.openExisting(conn, req, path.cellRelative(), cmd, reply);
        } else {
            writes.proposeAndReply(conn, req, path.cellRelative(), true, cmd, reply);
        }
    }

    private NodePath resolve(long session, OpenRequest o) {
        if (!o.getDirHandle().isEmpty()) {
            if (o.getPath().startsWith("/")) {
                throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT,
                        "'%s' is absolute: with a directory handle the path must be relative", o.getPath());
            }
            HandleRecord dir = machine.read(s -> s.checkHandle(o.getDirHandle().toByteArray(), session));
            Node n = machine.read(s -> s.nodeOf(dir));
            if (!n.directory()) {
                throw ChubbyException.of(ErrorCode.NOT_A_DIRECTORY, "%s is a file: cannot open relative to it",
                        dir.path());
            }
            NodePath base = dir.path().equals("/") ? NodePath.root(settings.cellName())
                    : NodePath.parse("/ls/" + settings.cellName() + dir.path());
            return base.resolve(o.getPath());
        }
        NodePath p = NodePath.parse(o.getPath());
        if (p.cell().equals(NodePath.LOCAL_CELL)) {
            return p.inCell(settings.cellName());
        }
        if (!p.cell().equals(settings.cellName())) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s names cell '%s' but this is cell '%s'", p,
                    p.cell(), settings.cellName());
        }
        return p;
    }

    void close(ClientConnection conn, Request req) {
        HandleRecord h;
        try {
            h = machine.read(s -> s.checkHandle(req.getClose().getHandle().toByteArray(), req.getSessionId()));
        } catch (ChubbyException e) {
            // Close never fails: a bad, closed or stale handle is already as closed as it gets,
            // except that a handle whose node was deleted is still open and must be closed.
            h = staleButOpen(req);
            if (h == null) {
                send(conn, Response.newBuilder().setCallId(req.getCallId()).setEmpty(Empty.getDefaultInstance()));
                return;
            }
        }
        proposer.proposeAndReply(conn, req, new Command.CloseHandle(req.getSessionId(), h.handleId()),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    /** An authentic, still-open handle of this session whose node is gone; null otherwise. */
    private HandleRecord staleButOpen(Request req) {
        return machine.read(s -> {
            try {
                HandleToken t = HandleToken.decode(req.getClose().getHandle().toByteArray(), s.secret());
                return t.sessionId() == req.getSessionId() && s.isOpen(t) ? s.handle(t.handleId()) : null;
            } catch (ChubbyException e) {
                return null;
            }
        });
    }

    void getContents(ClientConnection conn, Request req) {
        HandleRecord h = machine.read(s -> s.checkHandle(req.getGetContents().getHandle().toByteArray(),
                req.getSessionId()));
        // Registered before the state is read, so a write that starts after this point invalidates us.
        boolean cacheable = cache.registerRead(req.getSessionId(), h.path());
        Node n = machine.read(s -> s.contentsOf(s.checkHandle(req.getGetContents().getHandle().toByteArray(),
                req.getSessionId())));
        send(conn, Response.newBuilder().setCallId(req.getCallId()).setGetContents(GetContentsReply.newBuilder()
                .setContents(com.google.protobuf.ByteString.copyFrom(n.contents())).setStat(Wire.stat(n.stat()))
                .setCacheable(cacheable)));
    }

    void getStat(ClientConnection conn, Request req) {
        Node n = machine.read(s -> s.nodeOf(s.checkHandle(req.getGetStat().getHandle().toByteArray(),
                req.getSessionId())));
        send(conn, Response.newBuilder().setCallId(req.getCallId()).setStat(Wire.stat(n.stat())));
    }

    void readDir(ClientConnection conn, Request req) {
        var entries = machine.read(s -> s.readDir(s.checkHandle(req.getReadDir().getHandle().toByteArray(),
                req.getSessionId())));
        send(conn, Response.newBuilder().setCallId(req.getCallId()).setReadDir(Wire.readDir(entries)));
    }

    void setContents(ClientConnection conn, Request req) {
        var sc = req.getSetContents();
        HandleRecord h = machine.read(s -> s.checkHandle(sc.getHandle().toByteArray(), req.getSessionId()));
        requireMode(h, Modes.canWrite(h.modeBits()), "writing");
        machine.read(s -> s.contentsOf(h));
        Validation.contentSize(h.path(), sc.getContents().size(), settings.maxContentBytes());
        Command cmd = new Command.SetContents(req.getSessionId(), h.handleId(), sc.getContents().toByteArray(),
                sc.getCas(), sc.getExpectedGeneration(), clock.millis());
        writes.proposeAndReply(conn, req, h.path(), cmd, r -> Response.newBuilder()
                .setSetContents(SetContentsReply.newBuilder().setStat(Wire.stat(((Result.Written) r).stat()))));
    }

    void setAcl(ClientConnection conn, Request req) {
        var a = req.getSetAcl();
        HandleRecord h = machine.read(s -> s.checkHandle(a.getHandle().toByteArray(), req.getSessionId()));
        requireMode(h, Modes.canChangeAcl(h.modeBits()), "change-ACL");
        Command cmd = new Command.SetAcl(req.getSessionId(), h.handleId(), a.getReadAcl(), a.getWriteAcl(),
                a.getChangeAcl(), clock.millis());
        writes.proposeAndReply(conn, req, h.path(), cmd,
                r -> Response.newBuilder().setStat(Wire.stat(((Result.Written) r).stat())));
    }

    void delete(ClientConnection conn, Request req) {
        HandleRecord h = machine.read(s -> s.checkHandle(req.getDelete().getHandle().toByteArray(),
                req.getSessionId()));
        requireMode(h, Modes.canWrite(h.modeBits()), "writing");
        writes.proposeAndReply(conn, req, h.path(), new Command.Delete(req.getSessionId(), h.handleId()),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    private static void requireMode(HandleRecord h, boolean ok, String what) {
        if (!ok) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "handle %d on %s was not opened for %s",
                    h.handleId(), h.path(), what);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void send(ClientConnection conn, Response.Builder r) {
        if (conn.isOpen()) {
            conn.send(r.build().toByteArray());
        }
    }
}
