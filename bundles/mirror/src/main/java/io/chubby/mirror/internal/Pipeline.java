package io.chubby.mirror.internal;

import io.chubby.mirror.internal.plan.MirrorAction;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Applies a plan with up to {@link #WINDOW} file copies in flight: one at a time, each copy costs
 * the source read and a consensus round of the target cell, so a first pass of 1,000 files took
 * 1,000 rounds (33-39 s in a 3-replica cell); in flight together, the target's master commits
 * them in shared batches.
 *
 * <p>Order is kept where it matters: plans list a directory before what it holds and a replaced
 * node's removal before its copy, so every action that is not a copy below the root (directories,
 * ACL names, removals, the root itself) first waits for every copy in flight and then runs alone.
 * Copies between two such actions touch distinct paths whose parents exist. The first failure
 * ends the plan: the copies still in flight are waited for (their writes are harmless: each is
 * the source's contents), then the failure is thrown as the one-at-a-time path would throw it,
 * and the runner's next round reconciles again.
 *
 * <p>Threads: the mirror's worker thread; the futures complete on the client's threads.
 */
final class Pipeline {
    /** Copies in flight at most: enough for the target's batches, small beside a cell's 1,000-call window. */
    static final int WINDOW = 64;

    private final Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    private final int window;

    Pipeline(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1: " + window);
        }
        this.window = window;
    }

    /** Applies {@code actions} in order (as above); returns once every one is done. */
    void apply(List<MirrorAction> actions, SourceSide src, TargetSide dst) {
        try {
            for (MirrorAction a : actions) {
                if (a instanceof MirrorAction.CopyFile c && !c.relative().isEmpty()) {
                    while (inFlight.size() >= window) {
                        await(inFlight.removeFirst());
                    }
                    inFlight.addLast(dst.copyAsync(c, src));
                } else {
                    drain();
                    dst.apply(a, src);
                }
            }
            drain();
        } finally {
            quiesce();
        }
    }

    private void drain() {
        while (!inFlight.isEmpty()) {
            await(inFlight.removeFirst());
        }
    }

    /** After a failure: waits for what is still in flight, ignoring its outcome. */
    private void quiesce() {
        while (!inFlight.isEmpty()) {
            try {
                inFlight.removeFirst().join();
            } catch (CompletionException | CancellationException ignored) {
                // the first failure is the one reported
            }
        }
    }

    private static void await(CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("mirror interrupted while copying", e);
        } catch (ExecutionException e) {
            Throwable cause = cause(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    /** The failure inside the futures' wrappers. */
    static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
