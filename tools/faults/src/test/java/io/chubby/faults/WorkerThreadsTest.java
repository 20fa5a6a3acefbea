package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WorkerThreadsTest {

    @Test
    void aWorkerThatDiesIsReportedWithItsException() throws InterruptedException {
        WorkerThreads threads = new WorkerThreads();
        AtomicBoolean ran = new AtomicBoolean();
        Thread ok = threads.start("faults-client-1", () -> ran.set(true));
        Thread bad = threads.start("faults-client-2", () -> {
            throw new IllegalStateException("bug in the worker");
        });
        ok.join();
        bad.join();
        assertTrue(ran.get());
        List<String> deaths = threads.deaths();
        assertEquals(1, deaths.size(), deaths.toString());
        String d = deaths.get(0);
        assertTrue(d.startsWith("worker thread faults-client-2 died: java.lang.IllegalStateException: bug in the worker"), d);
        assertTrue(d.contains("WorkerThreadsTest"), "names where it was thrown: " + d);
    }

    @Test
    void workersAreDaemonsAndCleanRunsReportNothing() throws InterruptedException {
        WorkerThreads threads = new WorkerThreads();
        Thread t = threads.start("nemesis", () -> { });
        assertTrue(t.isDaemon());
        assertEquals("nemesis", t.getName());
        t.join();
        assertTrue(threads.deaths().isEmpty());
    }

    @Test
    void errorsCountToo() throws InterruptedException {
        WorkerThreads threads = new WorkerThreads();
        Thread t = threads.start("faults-locker-1", () -> {
            throw new AssertionError("broken invariant in a worker");
        });
        t.join();
        assertTrue(threads.deaths().get(0).contains("java.lang.AssertionError: broken invariant in a worker"));
    }
}
