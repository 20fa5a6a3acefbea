package io.chubby.store.internal;

import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.function.Function;
import java.util.function.LongConsumer;

/** Runs a body in one JE transaction and turns JE failures into typed errors. */
final class Txns {
    /** fsync on commit: what the Paxos log needs before it acknowledges. */
    static final TransactionConfig SYNC = config(Durability.COMMIT_SYNC);
    /** Written to JE's log buffer only: for state that the Paxos log can rebuild. */
    static final TransactionConfig NO_SYNC = config(Durability.COMMIT_NO_SYNC);

    private Txns() {
    }

    private static TransactionConfig config(Durability d) {
        TransactionConfig c = new TransactionConfig();
        c.setDurability(d);
        return c;
    }

    /** Commits when the body returns, aborts when it throws. */
    static <T> T run(Environment env, TransactionConfig config, String op, Function<Transaction, T> body) {
        return run(env, config, op, body, nanos -> { });
    }

    /** As {@link #run(Environment, TransactionConfig, String, Function)}; {@code committed} gets the commit's nanoseconds. */
    static <T> T run(Environment env, TransactionConfig config, String op, Function<Transaction, T> body,
                     LongConsumer committed) {
        Transaction txn = null;
        try {
            txn = env.beginTransaction(null, config);
            T result = body.apply(txn);
            long start = System.nanoTime();
            txn.commit();
            committed.accept(System.nanoTime() - start);
            txn = null;
            return result;
        } catch (DatabaseException e) {
            throw failure(op, e);
        } finally {
            if (txn != null) {
                abortQuietly(txn);
            }
        }
    }

    static ChubbyException failure(String op, Exception e) {
        return new ChubbyException(ErrorCode.INTERNAL, "store " + op + " failed: " + e.getMessage(), e);
    }

    private static void abortQuietly(Transaction txn) {
        try {
            txn.abort();
        } catch (RuntimeException ignored) {
            // The original failure is the one worth reporting; an invalid environment cannot abort.
        }
    }
}
