package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How a synchronous call of this package waits for its asynchronous form: every failure comes out
 * as a {@link ChubbyException} (never a {@code CompletionException} or {@code ExecutionException}),
 * a fresh one with the caller's stack and the original as its cause. Stateless.
 */
final class Sync {
    private Sync() {
    }

    /** The future's value; an interrupt is CANCELLED. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChubbyException(ErrorCode.CANCELLED, "interrupted while waiting for the cell", e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    /** A failed future's cause as the exception a synchronous call throws (INTERNAL if it is not a Chubby one). */
    static ChubbyException failure(ExecutionException e) {
        Throwable c = cause(e);
        if (c instanceof ChubbyException ce) {
            return new ChubbyException(ce.code(), ce.detail(), ce);
        }
        return new ChubbyException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }

    /** What a future failed with, without the CompletionException / ExecutionException around it. */
    static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
