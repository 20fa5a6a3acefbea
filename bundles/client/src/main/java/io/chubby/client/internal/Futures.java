package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers for futures and the library's daemon threads. Stateless. */
public final class Futures {
    private Futures() {
    }

    public static <T> CompletableFuture<T> failed(ChubbyException e) {
        return CompletableFuture.failedFuture(e);
    }

    /** The real cause of a failed future's exception. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A failure in words for an error line: its message, or, for the JDK exceptions that have
     * none, what happened (never "null").
     */
    public static String describe(Throwable t) {
        Throwable c = unwrap(t);
        String m = c.getMessage();
        if (m != null && !m.isBlank()) {
            return m;
        }
        if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
            return "unknown host (the name does not resolve)";
        }
        if (c instanceof java.net.PortUnreachableException) {
            return "nothing listens on that port (port unreachable)";
        }
        if (c instanceof java.nio.channels.ClosedChannelException) {
            return "the connection was closed";
        }
        if (c instanceof java.net.SocketTimeoutException || c instanceof java.util.concurrent.TimeoutException) {
            return "no answer in time";
        }
        return c.getClass().getSimpleName() + " (no detail given)";
    }

    /** Any failure as the API's exception (a non-Chubby failure is an INTERNAL error). */
    public static ChubbyException chubby(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ChubbyException ce) {
            return ce;
        }
        if (c instanceof TransportFailure tf) {
            return new ChubbyException(ErrorCode.CELL_UNAVAILABLE, tf.getMessage(), tf);
        }
        return new ChubbyException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }

    /**
     * Waits for a future on behalf of a synchronous call; a failure is rethrown as a new
     * ChubbyException with the same code so that its stack trace shows the caller.
     */
    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChubbyException(ErrorCode.CANCELLED, "interrupted while waiting for the cell", e);
        } catch (ExecutionException e) {
            ChubbyException ce = chubby(e);
            throw new ChubbyException(ce.code(), ce.detail(), ce);
        }
    }

    /** Runs tasks on {@code pool}; once it is shut down, on the submitting thread, so no future is left hanging. */
    static Executor inlineWhenShutDown(ExecutorService pool) {
        return r -> {
            try {
                pool.execute(r);
            } catch (RejectedExecutionException shutDown) {
                r.run();
            }
        };
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static ScheduledThreadPoolExecutor timer(String name) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon(name));
        t.setRemoveOnCancelPolicy(true);
        // After close, late timers are dropped instead of throwing into I/O callbacks; the client
        // fails every call still running when it closes, so nothing waits for a dropped timer.
        t.setRejectedExecutionHandler(new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
        return t;
    }
}
