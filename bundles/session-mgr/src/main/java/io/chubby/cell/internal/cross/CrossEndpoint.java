package io.chubby.cell.internal.cross;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's end of the cross-group channel (docs/PARTITIONING.md 4.4): the handler of every
 * cross-group message the peer links deliver. A reply goes to {@link PeerCrossCalls}; a request is
 * checked (readable, a group of the cell: else a typed INVALID_ARGUMENT answer), proposed through
 * {@code step} (the host's {@code crossStep}, that is {@link LocalCrossCalls}: NOT_MASTER unless this
 * replica masters the group; a command that is no cross step is answered INVALID_ARGUMENT) and
 * answered with the applied result or the error, a NOT_MASTER carrying the master this replica
 * believes in. Cross calls act as the cell: no filter or authorizer sees them (the client's call was
 * admitted in the sending group). Bad input is answered or dropped, never thrown at the transport.
 *
 * <p>Threads: transport threads; answers are sent on whichever thread completes the proposal.
 */
public final class CrossEndpoint {
    private static final Logger log = LoggerFactory.getLogger(CrossEndpoint.class);

    private final PeerCrossCalls calls;
    private final BiFunction<Integer, Command, CompletableFuture<Result>> step;
    private final IntSupplier groupCount;
    private final IntUnaryOperator masterView;
    private final PeerCrossCalls.Sender sender;

    /**
     * @param calls      this replica's calls, told of replies
     * @param step       proposes a step in a group mastered here, else fails NOT_MASTER
     * @param groupCount the cell's recorded number of groups
     * @param masterView group to the master this replica's consensus names (0: none)
     * @param sender     the peer links, for the answers
     */
    public CrossEndpoint(PeerCrossCalls calls, BiFunction<Integer, Command, CompletableFuture<Result>> step,
                         IntSupplier groupCount, IntUnaryOperator masterView, PeerCrossCalls.Sender sender) {
        this.calls = calls;
        this.step = step;
        this.groupCount = groupCount;
        this.masterView = masterView;
        this.sender = sender;
    }

    /** A cross-group message from replica {@code from} (the transport's handler). */
    public void onMessage(int from, byte[] bytes) {
        CrossWire.Message m;
        try {
            m = CrossWire.decode(bytes);
        } catch (ChubbyException e) {
            // Without a readable call id an answer would match nothing: the sender times out.
            log.warn("dropped cross-group message from={} error={}", from, e.detail());
            return;
        }
        if (m instanceof CrossWire.Reply r) {
            calls.replied(from, r);
        } else if (m instanceof CrossWire.Request q) {
            requested(from, q);
        }
    }

    private void requested(int from, CrossWire.Request q) {
        Command c;
        try {
            int n = groupCount.getAsInt();
            if (q.toGroup() < 0 || q.toGroup() >= n) {
                throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "cross call %d names group %d; this cell has %d",
                        q.callId(), q.toGroup(), n);
            }
            c = CrossWire.step(q);
        } catch (ChubbyException e) {
            log.warn("refused cross call from={} call={} error={}", from, q.callId(), e.detail());
            answer(from, CrossWire.Reply.failed(q.callId(), q.toGroup(), e, 0));
            return;
        }
        CompletableFuture<Result> f;
        try {
            f = step.apply(q.toGroup(), c);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((result, err) -> answer(from, err == null
                ? CrossWire.Reply.of(q.callId(), q.toGroup(), result)
                : refusal(q, err)));
    }

    private CrossWire.Reply refusal(CrossWire.Request q, Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        ChubbyException ce;
        if (e instanceof ChubbyException x) {
            ce = x;
        } else if (e instanceof IllegalArgumentException) {
            ce = ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "cross call %d refused: %s", q.callId(), e.getMessage());
        } else {
            ce = ChubbyException.of(ErrorCode.CELL_UNAVAILABLE, "cross call %d not applied: %s", q.callId(),
                    e.getMessage());
        }
        int hint = ce.code() == ErrorCode.NOT_MASTER ? masterView.applyAsInt(q.toGroup()) : 0;
        return CrossWire.Reply.failed(q.callId(), q.toGroup(), ce, hint);
    }

    private void answer(int to, CrossWire.Reply r) {
        try {
            sender.send(to, CrossWire.reply(r));
        } catch (RuntimeException e) {
            log.warn("cross reply to replica {} not sent (call {})", to, r.callId(), e);
        }
    }
}
