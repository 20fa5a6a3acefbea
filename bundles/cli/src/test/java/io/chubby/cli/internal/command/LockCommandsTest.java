package io.chubby.cli.internal.command;

import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lock, locks, sequencer and elect against a real cell in this JVM (COMMANDs are real, tiny processes). */
class LockCommandsTest {
    private final Harness h = Harness.withCell();

    @AfterEach
    void close() {
        h.close();
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        return r;
    }

    /** A session of another client of the cell, named "other". */
    private ChubbyClient client() {
        return ChubbyClient.connect(ClientOptions.builder().cell(h.cell().address()).clientName("other").build());
    }

    @Test
    void lockRunsTheCommandWithItsSequencerAndPassesTheExitCodeThrough() {
        Result r = h.run("lock", "/ls/local/l", "--", "sh", "-c", "test -n \"$CHUBBY_SEQUENCER\" || exit 3; exit 7");
        assertEquals(7, r.code(), r::err);
        try (ChubbyClient c = client(); Handle x = c.open("/ls/local/l", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE), "released when the command exited");
            assertEquals(1, x.lockInfo().holders().size());
        }
    }

    @Test
    void tryFailsAtOnceWhenHeldAndLocksShowsTheHolder() {
        ok("put", "/ls/local/l", "");
        try (ChubbyClient c = client(); Handle x = c.open("/ls/local/l", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE));
            Result busy = h.run("lock", "--try", "/ls/local/l", "--", "true");
            assertEquals(Cli.FAILURE, busy.code());
            assertEquals(1, busy.errLines().size(), busy::err);
            assertTrue(busy.err().contains("held by someone else"), busy::err);
            List<String> lines = ok("locks", "/ls/local/l").outLines();
            long handleId = x.lockInfo().holders().get(0).handleId();
            assertEquals(List.of("path: /ls/local/l", "lock.generation: 1", "state: held EXCLUSIVE",
                    "holder: session=" + c.sessionId() + " handle=" + handleId + " mode=EXCLUSIVE client=other"), lines);

            String seq = x.getSequencer().toBase64();
            assertTrue(ok("sequencer", "check", seq).out().startsWith("valid: path=/ls/local/l mode=EXCLUSIVE"));
            assertTrue(ok("sequencer", "show", x.getSequencer().toHex()).out()
                    .startsWith("path=/ls/local/l mode=EXCLUSIVE generation=1 instance="));
            byte[] forgedDigits = x.getSequencer().bytes();
            forgedDigits[forgedDigits.length - 1] ^= 1;
            Result badDigits = h.run("sequencer", "check", Base64.getEncoder().encodeToString(forgedDigits));
            assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), badDigits.code(), badDigits::err);
            assertTrue(badDigits.err().startsWith("chubby: INVALID_ARGUMENT: sequencer not valid: forged"), badDigits::err);
            x.release();
            Result stale = h.run("sequencer", "check", seq);
            assertEquals(ErrorCode.STALE_SEQUENCER.exitCode(), stale.code());
            assertTrue(stale.err().contains("not held"), stale::err);
        }
        Result forged = h.run("sequencer", "check", "bm90IGEgc2VxdWVuY2Vy");
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), forged.code(), forged::err);
        assertEquals(1, forged.errLines().size());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(Cli.USAGE, h.run("lock", "/ls/local/l", "--lock-delay", "61", "--", "true").code());
        assertEquals(Cli.USAGE, h.run("lock", "/ls/local/l").code());
        assertEquals(Cli.USAGE, h.run("elect", "/ls/local/e", "--", "true").code(), "--id is required");
    }

    @Test
    void electLeadsRunsTheCommandAndStepsDown() {
        Result r = h.run("elect", "/ls/local/e", "--id", "me", "--lock-delay", "0", "--", "sh", "-c",
                "test \"$CHUBBY_LEADER_ID\" = me && test -n \"$CHUBBY_SEQUENCER\" && exit 5");
        assertEquals(5, r.code(), r::err);
        assertTrue(r.out().contains("leading /ls/local/e as me (generation 1)"), r::out);
        try (ChubbyClient c = client(); Handle x = c.open("/ls/local/e", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE), "stepped down after the command");
            assertTrue(new String(x.getContentsAndStat().data()).startsWith("me\nlock-generation 1"));
        }
    }

    /**
     * A winner that cannot write its record (here: an identity too large for a file, TOO_LARGE,
     * which is not sent again) releases the lock; elect exits with the error's code and one line.
     */
    @Test
    void electThatCannotWriteItsRecordReleasesTheLockAndExitsWithOneLine() {
        String id = "x".repeat(256 * 1024 + 1);
        Result r = h.run("elect", "/ls/local/e", "--id", id, "--lock-delay", "0");
        assertEquals(ErrorCode.TOO_LARGE.exitCode(), r.code(), r::err);
        assertEquals(1, r.errLines().size(), r::err);
        assertTrue(r.err().startsWith("chubby: TOO_LARGE: won the lock on /ls/local/e but could not write the leader"
                + " record of " + "x".repeat(60) + "... (1 attempt): "), r::err);
        assertTrue(r.err().strip().endsWith("; the lock was released"), r::err);
        try (ChubbyClient c = client(); Handle x = c.open("/ls/local/e", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE), "not left held");
        }
    }
}
