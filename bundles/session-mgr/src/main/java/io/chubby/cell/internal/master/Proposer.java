package io.chubby.cell.internal.master;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.Result;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proposes commands through {@link Consensus} and turns the outcome into a client response. A
 * proposal that fails after it was made (NOT_MASTER, or anything unexpected) may or may not have
 * been chosen, so the client hears OUTCOME_UNKNOWN rather than NOT_MASTER or CELL_UNAVAILABLE
 * (both of which say "nothing was applied" and invite a blind retry).
 * Thread-safe (stateless apart from its collaborators).
 */
public final class Proposer {
    private static final Logger log = LoggerFactory.getLogger(Proposer.class);

    private final Consensus consensus;
    private final Function<Long, Response> notMaster;

    public Proposer(Consensus consensus, Function<Long, Response> notMaster) {
        this.consensus = consensus;
        this.notMaster = notMaster;
    }

    /** Proposes; completes with the decoded result, or exceptionally with a ChubbyException. */
    public CompletableFuture<Result> propose(Command command) {
        CompletableFuture<byte[]> f;
        try {
            f = consensus.propose(CommandCodec.encode(command));
        } catch (ChubbyException e) {
            // Thrown before anything was proposed: a plain NOT_MASTER is accurate here.
            return CompletableFuture.failedFuture(new NothingProposed(e));
        }
        return f.handle((bytes, err) -> {
            if (err != null) {
                throw new CompletionException(outcomeUnknown(unwrap(err)));
            }
            return Result.decode(bytes);
        });
    }

    /** Proposes on behalf of a request and sends the response built by {@code onSuccess}. */
    public void proposeAndReply(ClientConnection conn, Request req, Command command,
                         Function<Result, Response.Builder> onSuccess) {
        propose(command).whenComplete((result, err) -> {
            Response r;
            if (err != null) {
                r = failure(req.getCallId(), unwrap(err));
            } else if (result instanceof Result.Failed f) {
                r = Wire.error(req.getCallId(), f.code(), f.message());
            } else {
                r = onSuccess.apply(result).setCallId(req.getCallId()).build();
            }
            if (conn.isOpen()) {
                conn.send(r.toByteArray());
            }
        });
    }

    public Response failure(long callId, Throwable t) {
        if (t instanceof NothingProposed np && np.getCause() instanceof ChubbyException ce
                && ce.code() == ErrorCode.NOT_MASTER) {
            return notMaster.apply(callId);
        }
        Throwable c = t instanceof NothingProposed ? t.getCause() : t;
        if (c instanceof ChubbyException ce) {
            return Wire.error(callId, ce.code(), ce.detail());
        }
        log.error("proposal failed callId={}", callId, c);
        return Wire.error(callId, ErrorCode.INTERNAL, "internal error: " + c);
    }

    private static ChubbyException outcomeUnknown(Throwable t) {
        if (t instanceof ChubbyException ce && ce.code() != ErrorCode.NOT_MASTER) {
            return ce;
        }
        return new ChubbyException(ErrorCode.OUTCOME_UNKNOWN, "outcome unknown: the master lost mastership "
                + "before the command was known to commit (" + (t == null ? "?" : t.getMessage())
                + "); check the state before retrying", t);
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Marks a failure raised before any proposal was made. */
    public static final class NothingProposed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NothingProposed(ChubbyException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
