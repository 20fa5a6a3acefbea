package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.LockInfo;
import io.chubby.testkit.Await;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands that hold a session until stopped (watch, lock, elect), stopped as SIGINT/SIGTERM stop
 * the real process ({@link Harness#stop()}: the stop actions, last registered first), twice: when
 * the stop returns, the command's session is closed at the master and its lock free, COMMAND has
 * been killed, and nothing was reported on stderr (the exit status is the signal's). The same with
 * real processes and signals: distribution's {@code CliSignalIT}.
 */
class StopTest {
    private final Harness h = Harness.withCell();

    @AfterEach
    void close() {
        h.close();
    }

    /** Sessions at the master (the harness's own observer session opened first, so it counts throughout). */
    private long sessions() {
        h.observer();
        return h.cell().status().getSessions();
    }

    private LockInfo lockInfo(String path) {
        try (Handle x = h.observer().open(path, OpenOptions.read())) {
            return x.lockInfo();
        }
    }

    private CompletableFuture<Result> start(String... args) {
        return CompletableFuture.supplyAsync(() -> h.run(args));
    }

    /** Stops twice (as timeout(1) does) and waits for the command line to return. */
    private Result stopTwice(CompletableFuture<Result> running) throws Exception {
        h.stop();
        h.stop();
        return running.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aStoppedWatchClosesItsSession() throws Exception {
        h.run("mkdir", "/ls/local/d");
        long before = sessions();
        CompletableFuture<Result> watch = start("watch", "/ls/local/d");
        Await.until("the watch to start", () -> h.errSoFar().startsWith("watching /ls/local/d"));
        assertEquals(before + 1, sessions());
        h.stop();
        h.stop();
        assertEquals(before, sessions(), "closed at the master when the stop returns, not at the lease's end");
        Result r = watch.get(30, TimeUnit.SECONDS);
        assertEquals(1, r.errLines().size(), r::err);
        assertTrue(r.err().startsWith("watching "), r::err);
        assertEquals("", r.out(), "no SESSION EXPIRED line for the session it closed itself");
        assertTrue(h.hooks.isEmpty());
    }

    @Test
    void aStoppedLockKillsItsCommandReleasesTheLockAndClosesItsSession() throws Exception {
        long before = sessions();
        CompletableFuture<Result> lock = start("lock", "/ls/local/l", "--", "sleep", "60");
        Await.until("the lock to be held", () -> h.exists("/ls/local/l") && lockInfo("/ls/local/l").held());
        Result r = stopTwice(lock);
        assertEquals(before, sessions());
        assertFalse(lockInfo("/ls/local/l").held(), "released");
        assertFalse(r.err().contains("chubby:"), "nothing reported for a stop: " + r.err());
        assertTrue(h.hooks.isEmpty());
        try (ChubbyClient other = ChubbyClient.connect(ClientOptions.forCell(h.cell().address()));
             Handle x = other.open("/ls/local/l", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE), "free at once: a closed session leaves no lock-delay");
        }
    }

    @Test
    void aLockStoppedWhileWaitingLeavesNoWaiterAndNoSession() throws Exception {
        h.run("put", "/ls/local/l", "");
        try (ChubbyClient other = ChubbyClient.connect(ClientOptions.forCell(h.cell().address()));
             Handle x = other.open("/ls/local/l", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE));
            long before = sessions();
            CompletableFuture<Result> lock = start("lock", "/ls/local/l", "--", "true");
            Await.until("the lock command to wait", () -> lockInfo("/ls/local/l").waiters().size() == 1);
            Result r = stopTwice(lock);
            assertEquals(before, sessions());
            assertEquals(0, lockInfo("/ls/local/l").waiters().size());
            assertEquals("", r.err());
        }
    }

    @Test
    void aStoppedElectionStepsDownAndClosesItsSession() throws Exception {
        long before = sessions();
        CompletableFuture<Result> elect = start("elect", "/ls/local/e", "--id", "me", "--lock-delay", "0");
        // the command prints "leading" once its poll of the election sees the win (up to a second
        // after the lock is held and PATH written): a stop before that is a stop while campaigning
        Await.until("the candidate to say it leads", () -> h.outSoFar().contains("leading /ls/local/e as me"));
        assertTrue(h.exists("/ls/local/e") && h.contents("/ls/local/e").startsWith("me\n") && lockInfo("/ls/local/e").held());
        Result r = stopTwice(elect);
        assertEquals(before, sessions());
        assertFalse(lockInfo("/ls/local/e").held());
        assertEquals("", r.err(), "a stop is not a lost leadership (no STALE_SEQUENCER line)");
        assertTrue(r.out().contains("leading /ls/local/e as me"), r::out);
    }

    @Test
    void anElectionStoppedWhileItsCommandRunsKillsTheCommand() throws Exception {
        long before = sessions();
        CompletableFuture<Result> elect = start("elect", "/ls/local/e", "--id", "me", "--", "sleep", "60");
        Await.until("the candidate to lead", () -> h.exists("/ls/local/e")
                && h.contents("/ls/local/e").startsWith("me\n") && lockInfo("/ls/local/e").held());
        Result r = stopTwice(elect); // returns only once COMMAND was killed (else: sleep 60 would run on)
        assertEquals(before, sessions());
        assertFalse(lockInfo("/ls/local/e").held());
        assertEquals("", r.err());
    }
}
