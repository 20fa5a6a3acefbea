package io.chubby.cell.internal.calls;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.OpenOptions;
import io.chubby.cell.internal.master.CacheTracker;
import io.chubby.cell.internal.master.CoherentWrites;
import io.chubby.cell.internal.master.DirectoryIntents;
import io.chubby.cell.internal.master.Proposer;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.HandleToken;
import io.chubby.cell.internal.state.Modes;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import io.chubby.cell.internal.state.Validation;
import io.chubby.protocol.Create;
import io.chubby.protocol.Empty;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.OpenReply;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsReply;
import io.chubby.protocol.StatMessage;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers the file API on the master: reads from the in-memory state; writes validated here (size,
 * mode, state) and only then proposed, so a rejected call never reaches the log. Calls arrive
 * decoded ({@link Call}: handle authenticated, Open's path resolved) and admitted by the pipeline.
 * Thread-safe: state access goes through {@link CellStateMachine#read}.
 */
final class FileCalls {
    private final CellStateMachine machine;
    private final Proposer proposer;
    private final CellSettings settings;
    private final Clock clock;
    private final CoherentWrites writes;
    private final CacheTracker cache;
    private final DirectoryIntents directories;
    private final int group;

    FileCalls(CellStateMachine machine, Proposer proposer, CellSettings settings, Clock clock,
              CoherentWrites writes, CacheTracker cache, DirectoryIntents directories, int group) {
        this.directories = directories;
        this.group = group;
        this.machine = machine;
        this.proposer = proposer;
        this.settings = settings;
        this.clock = clock;
        this.writes = writes;
        this.cache = cache;
    }

    /** A node's Stat on the wire, naming this group's partition. */
    private StatMessage stat(io.chubby.api.Stat s) {
        return Wire.stat(s, group);
    }

    void open(Call call) {
        Request req = call.req;
        OpenRequest o = req.getOpen();
        if (o.getDirectoryWatch()) {
            openAnchor(call);
            return;
        }
        long session = req.getSessionId();
        NodePath path = call.path();
        byte[] contents = o.getInitialContents().toByteArray();
        Validation.contentSize(path.toString(), contents.length, settings.maxContentBytes());
        if (o.getLockDelayMs() > OpenOptions.MAX_LOCK_DELAY_MILLIS) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "lock-delay %d ms exceeds %d ms", o.getLockDelayMs(),
                    OpenOptions.MAX_LOCK_DELAY_MILLIS);
        }
        CreateMode create = RequestDecoder.createMode(o);
        requireInitialised();
        Command cmd = call.guarded(new Command.Open(session, path.toString(), o.getModeBits(), create, o.getDirectory(),
                o.getEphemeral(), contents, emptyToNull(o.getReadAcl()), emptyToNull(o.getWriteAcl()),
                emptyToNull(o.getChangeAcl()), o.getEventMask(), o.getLockDelayMs(), clock.millis()));
        if (o.getCreate() == Create.CREATE_NO) {
            // The client may cache a NO_SUCH_NODE answer: register before the state is read.
            cache.registerAbsence(session, path.cellRelative());
            proposer.proposeAndReply(call.conn, req, cmd, this::opened);
        } else if (o.getCreate() == Create.CREATE_MAY
                && machine.read(s -> s.nodeAt(path.cellRelative()) != null)) {
            writes.openExisting(call.conn, req, path.cellRelative(), cmd, this::opened);
        } else {
            writes.proposeAndReply(call.conn, req, path.cellRelative(), true, cmd, r -> anchored(r, path),
                    this::opened);
        }
    }

    /**
     * An anchor handle on directory D in this group, the one of D's children (4.3): a read of the
     * state, so proposed as any Open; only without create (it never makes D).
     */
    private void openAnchor(Call call) {
        OpenRequest o = call.req.getOpen();
        if (o.getCreate() != Create.CREATE_NO || !o.getDirHandle().isEmpty()) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "directory_watch on %s: an anchor handle is opened "
                    + "by absolute path and without create", call.path());
        }
        requireInitialised();
        proposer.proposeAndReply(call.conn, call.req, new Command.OpenAnchor(call.sessionId(),
                call.path().toString(), o.getEventMask()), this::opened);
    }

    private void requireInitialised() {
        if (!machine.read(s -> s.initialised())) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell is not initialised yet; retry shortly");
        }
    }

    /** The reply to an applied Open (an anchor handle's too: never created). */
    private Response.Builder opened(Result r) {
        Result.Opened op = (Result.Opened) r;
        return Response.newBuilder().setOpen(OpenReply.newBuilder().setHandle(ByteString.copyFrom(op.handle()))
                .setCreated(op.created()).setStat(stat(op.stat())));
    }

    /**
     * A directory whose children live in another group is answered once H holds its anchor; a create
     * refused for want of its parent's anchor, once C said what the parent is (4.3).
     */
    private CompletionStage<Result> anchored(Result r, NodePath path) {
        if (r instanceof Result.Failed f && f.code() == ErrorCode.NO_SUCH_NODE) {
            return resolvedParent(f, path);
        }
        if (r instanceof Result.Opened op && op.created() && op.stat().directory()) {
            long txid = directories.openIntentOn(path.cellRelative(), op.stat().instance());
            if (txid != 0) {
                return directories.created(txid).thenApply(o -> r);
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    /**
     * The answer to a create in this group (H) refused NO_SUCH_NODE because its parent D, whose node
     * lives in group C, has no anchor here: C's ResolveDir says what D is, so the client gets what a
     * cell of one partition answers (NOT_A_DIRECTORY for a file, NO_SUCH_NODE when absent) or, for
     * a directory whose anchor is still on its way, CELL_UNAVAILABLE "retry". Only this error path
     * pays the round trip.
     */
    private CompletionStage<Result> resolvedParent(Result.Failed f, NodePath path) {
        NodePath dir = path.isRoot() ? null : path.parent();
        if (dir == null || !machine.read(s -> s.layout().crossesGroups(dir) && s.layout().partitionOf(dir) != group)) {
            return CompletableFuture.completedFuture(f);
        }
        return directories.resolveDir(dir).handle((answer, err) -> {
            Outcome o = answer instanceof Result.DirOutcome d ? d.outcome() : null;
            if (o == Outcome.NO_NODE) {
                return f;
            }
            if (o == Outcome.IS_FILE) {
                return new Result.Failed(ErrorCode.NOT_A_DIRECTORY, "cannot create " + path + ": parent " + dir
                        + " is a file");
            }
            return new Result.Failed(ErrorCode.CELL_UNAVAILABLE, o == Outcome.IS_DIRECTORY
                    ? "directory " + dir + " is being created; retry"
                    : "cannot create " + path + ": the partition of " + dir + " was not reached; retry");
        });
    }

    void close(Call call) {
        Request req = call.req;
        HandleRecord h = call.handle;
        if (h == null) {
            // Close never fails: a bad, closed or stale handle is already as closed as it gets,
            // except that a handle whose node was deleted is still open and must be closed.
            h = staleButOpen(req);
            if (h == null) {
                send(call, Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
                return;
            }
        }
        proposer.proposeAndReply(call.conn, req, new Command.CloseHandle(req.getSessionId(), h.handleId()),
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

    void getContents(Call call) {
        Request req = call.req;
        // Registered before the state is read, so a write that starts after this point invalidates us;
        // a no_cache read is neither registered nor cacheable (a client that does not cache).
        boolean cacheable = !req.getGetContents().getNoCache()
                && cache.registerRead(req.getSessionId(), call.handle.path());
        byte[] token = req.getGetContents().getHandle().toByteArray();
        Node n = machine.read(s -> s.contentsOf(s.checkHandle(token, req.getSessionId())));
        send(call, Response.newBuilder().setGetContents(GetContentsReply.newBuilder()
                .setContents(ByteString.copyFrom(n.contents())).setStat(stat(n.stat())).setCacheable(cacheable)));
    }

    void getStat(Call call) {
        Node n = machine.read(s -> s.nodeOf(call.handle));
        send(call, Response.newBuilder().setStat(stat(n.stat())));
    }

    void readDir(Call call) {
        var entries = machine.read(s -> s.readDir(call.handle));
        send(call, Response.newBuilder().setReadDir(Wire.readDir(entries, group)));
    }

    void setContents(Call call) {
        var sc = call.req.getSetContents();
        HandleRecord h = call.handle;
        requireMode(call, Modes.canWrite(h.modeBits()), "writing");
        machine.read(s -> s.contentsOf(h));
        Validation.contentSize(call.path().toString(), sc.getContents().size(), settings.maxContentBytes());
        Command cmd = call.guarded(new Command.SetContents(call.sessionId(), h.handleId(),
                sc.getContents().toByteArray(), sc.getCas(), sc.getExpectedGeneration(), clock.millis()));
        writes.proposeAndReply(call.conn, call.req, h.path(), cmd, r -> Response.newBuilder()
                .setSetContents(SetContentsReply.newBuilder().setStat(stat(((Result.Written) r).stat()))));
    }

    void setAcl(Call call) {
        var a = call.req.getSetAcl();
        HandleRecord h = call.handle;
        requireMode(call, Modes.canChangeAcl(h.modeBits()), "change-ACL");
        Command cmd = call.guarded(new Command.SetAcl(call.sessionId(), h.handleId(), a.getReadAcl(),
                a.getWriteAcl(), a.getChangeAcl(), clock.millis()));
        writes.proposeAndReply(call.conn, call.req, h.path(), cmd,
                r -> Response.newBuilder().setStat(stat(((Result.Written) r).stat())));
    }

    void delete(Call call) {
        HandleRecord h = call.handle;
        requireMode(call, Modes.canWrite(h.modeBits()), "writing");
        writes.proposeAndReply(call.conn, call.req, h.path(), false,
                call.guarded(new Command.Delete(call.sessionId(), h.handleId())), r -> settledDelete(r, h),
                r -> Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    /** A delete that opened a directory intent is answered with the intent's outcome (4.2). */
    private CompletionStage<Result> settledDelete(Result r, HandleRecord h) {
        if (r instanceof Result.DirOutcome d && d.outcome() == Outcome.INTENT_OPENED) {
            return directories.deleted(d.txid(), h.path(), h.instance()).thenApply(o -> o == Outcome.DELETED
                    ? new Result.Done()
                    : new Result.Failed(ErrorCode.NOT_EMPTY, "directory /ls/" + settings.cellName() + h.path()
                            + " is not empty"));
        }
        return CompletableFuture.completedFuture(r);
    }

    /** Errors name the node absolutely ({@code /ls/<cell>/...}), as clients name it. */
    private static void requireMode(Call call, boolean ok, String what) {
        if (!ok) {
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "handle %d on %s was not opened for %s",
                    call.handle.handleId(), call.path(), what);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void send(Call call, Response.Builder r) {
        Wire.send(call.conn, r.setCallId(call.callId()).build());
    }
}
