package io.chubby.cell.internal.cross;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * {@link CrossCalls} inside one process: the step goes to the group's proposer here if this replica
 * masters it, else fails NOT_MASTER (the caller re-sends; the real channel, step 12, follows the
 * master hint to another replica).
 */
public final class LocalCrossCalls implements CrossCalls {
    /** A group served here: whether this replica is its master, and how to propose in its log. */
    public record Target(boolean master, Function<Command, CompletableFuture<Result>> propose) {
    }

    private final IntFunction<Target> groups;

    /** {@code groups} gives the target for a group number, or null when the group is not open here. */
    public LocalCrossCalls(IntFunction<Target> groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<Result> call(int toGroup, Command step) {
        if (!(step instanceof Command.AnchorDir || step instanceof Command.SealDir
                || step instanceof Command.DropAnchor || step instanceof Command.AclCopy
                || step instanceof Command.ResolveDir || step instanceof Command.ReapIfEmpty)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a cross-group step: " + step));
        }
        Target t = groups.apply(toGroup);
        if (t == null || !t.master()) {
            return CompletableFuture.failedFuture(ChubbyException.of(ErrorCode.NOT_MASTER,
                    "this replica is not the master of group %d", toGroup));
        }
        return t.propose().apply(step);
    }
}
