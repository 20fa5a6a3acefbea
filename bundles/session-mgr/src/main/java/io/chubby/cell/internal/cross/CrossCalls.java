package io.chubby.cell.internal.cross;

import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one step of a cross-group directory operation to the master of another group, which
 * proposes it in its own log. The answer is the applied {@link Result}; a failed future (not the
 * master, no master, the group not open here) means nothing is known to be applied and the caller
 * sends again later. Every step is idempotent, so a re-sent or duplicated call is harmless.
 */
public interface CrossCalls {

    /**
     * Proposes {@code step} (AnchorDir, SealDir, DropAnchor, ResolveDir, ReapIfEmpty, AclCopy) in
     * group {@code toGroup}.
     */
    CompletableFuture<Result> call(int toGroup, Command step);

    /** Nowhere to send: every call fails (a cell of one group never calls). */
    CrossCalls NONE = (g, step) -> CompletableFuture.failedFuture(
            new IllegalStateException("no cross-group channel to group " + g));
}
