package io.chubby.it;

import static org.junit.Assert.fail;

/** Bounded waits of the Pax Exam tests: a condition polled every 20 ms until true or the time is up. */
final class ExamWait {
    private ExamWait() {
    }

    /** A condition that may throw (a failed assertion inside it ends the wait at once). */
    @FunctionalInterface
    interface Condition {
        boolean test() throws Exception;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeoutMs}. */
    static void await(String what, long timeoutMs, Condition condition) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.test()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
