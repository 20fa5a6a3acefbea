package io.chubby.cell.internal.master;

import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.PlantedBugs;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Writes with consistent caching (SPEC 7): the node becomes uncacheable and every session that
 * may cache it is invalidated; the command is proposed only when each has acknowledged (or its
 * lease has passed); the writer is answered after the commit (and after any session that
 * registered the node's absence meanwhile has acknowledged). So no client can read a cached old
 * value after the writer's call returned. Thread-safe (stateless apart from its collaborators).
 */
public final class CoherentWrites {
    private final CacheTracker tracker;
    private final Proposer proposer;
    private final AclCoherence acl;

    public CoherentWrites(CacheTracker tracker, Proposer proposer) {
        this(tracker, proposer, null);
    }

    /** With {@code acl}: writes of ACL files on group A's master also keep the other groups' copies coherent. */
    public CoherentWrites(CacheTracker tracker, Proposer proposer, AclCoherence acl) {
        this.tracker = tracker;
        this.proposer = proposer;
        this.acl = acl;
    }

    /** Like {@link Proposer#proposeAndReply}, invalidating client caches of {@code path}'s contents first. */
    public void proposeAndReply(ClientConnection conn, Request req, String path, Command command,
                         Function<Result, Response.Builder> onSuccess) {
        proposeAndReply(conn, req, path, false, command, onSuccess);
    }

    /** As above; {@code creates}: the write may create the node (sessions caching its absence are invalidated too). */
    public void proposeAndReply(ClientConnection conn, Request req, String path, boolean creates, Command command,
                         Function<Result, Response.Builder> onSuccess) {
        proposeAndReply(conn, req, path, creates, command, java.util.concurrent.CompletableFuture::completedFuture,
                onSuccess);
    }

    /**
     * As above; {@code settle} turns the applied result into the one the client is answered with
     * when the entry only started the operation (a directory intent: its outcome comes later).
     */
    public void proposeAndReply(ClientConnection conn, Request req, String path, boolean creates, Command command,
                                Function<Result, java.util.concurrent.CompletionStage<Result>> settle,
                                Function<Result, Response.Builder> onSuccess) {
        CacheTracker.Write w = tracker.begin(path, req.getSessionId(), creates);
        drained(w).thenCompose(v -> aclCoherent(path, () -> proposer.propose(command).thenCompose(settle)
                .toCompletableFuture())).whenComplete((result, err) ->
                drained(w).whenComplete((v, e) -> {
                    tracker.end(w);
                    Response r;
                    if (err != null) {
                        r = proposer.failure(req.getCallId(), Proposer.unwrap(err));
                    } else if (result instanceof Result.Failed f) {
                        r = Wire.error(req.getCallId(), f.code(), f.message());
                    } else {
                        r = onSuccess.apply(result).setCallId(req.getCallId()).build();
                    }
                    if (conn.isOpen()) {
                        conn.send(r.toByteArray());
                    }
                }));
    }

    /**
     * Open with create MAY of a node that existed when checked: proposed at once. Should it have
     * been deleted meanwhile and so created by this entry, sessions caching its absence are
     * invalidated and waited for before the opener is answered.
     */
    public void openExisting(ClientConnection conn, Request req, String path, Command command,
                      Function<Result, Response.Builder> onSuccess) {
        if (acl != null && acl.covers(path)) {
            // It may create an ACL file (deleted meanwhile): the copies must hear of it first.
            proposeAndReply(conn, req, path, true, command, onSuccess);
            return;
        }
        proposer.propose(command).whenComplete((result, err) -> {
            if (err == null && result instanceof Result.Opened op && op.created()) {
                CacheTracker.Write w = tracker.begin(path, req.getSessionId(), true);
                w.drained().whenComplete((v, e) -> {
                    tracker.end(w);
                    send(conn, onSuccess.apply(result).setCallId(req.getCallId()).build());
                });
                return;
            }
            Response r;
            if (err != null) {
                r = proposer.failure(req.getCallId(), Proposer.unwrap(err));
            } else if (result instanceof Result.Failed f) {
                r = Wire.error(req.getCallId(), f.code(), f.message());
            } else {
                r = onSuccess.apply(result).setCallId(req.getCallId()).build();
            }
            send(conn, r);
        });
    }

    /** The proposal of a write of {@code path}, under the ACL copy protocol when it writes an ACL file of group A. */
    private CompletableFuture<Result> aclCoherent(String path, java.util.function.Supplier<CompletableFuture<Result>> w) {
        return acl == null ? w.get() : acl.around(path, w);
    }

    /** When the write may go on: once every cache holder acknowledged (unless that bug is planted). */
    private static CompletableFuture<Void> drained(CacheTracker.Write w) {
        return PlantedBugs.writesSkipInvalidation ? CompletableFuture.completedFuture(null) : w.drained();
    }

    private static void send(ClientConnection conn, Response r) {
        if (conn.isOpen()) {
            conn.send(r.toByteArray());
        }
    }
}
