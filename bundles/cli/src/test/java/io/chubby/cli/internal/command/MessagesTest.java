package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.testkit.Await;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What used to happen silently, or with "null" in the error line, now says what happened: an empty
 * --cell, {@code lock} creating its file, {@code lock --wait} below 0, {@code put --cas} on a
 * missing file, a trailing slash, unreachable hosts and bad sequencers; and every command keeps
 * trying to reach the cell for --timeout ({@code master} and {@code cell status} gave up at the
 * first refused connection).
 */
class MessagesTest {
    private final Harness h = Harness.withCell();

    @AfterEach
    void close() {
        h.close();
    }

    private static void oneLineWithoutNull(Result r, String expected) {
        assertEquals(1, r.errLines().size(), r::err);
        assertTrue(r.err().contains(expected), r::err);
        assertFalse(r.err().contains("null"), r::err);
    }

    @Test
    void anEmptyCellOptionIsAUsageErrorNotTheEnvironment() {
        Result r = h.run("--cell", "", "ls", "/ls/local");
        assertEquals(Cli.USAGE, r.code());
        oneLineWithoutNull(r, "--cell is empty: give HOST:PORT,...");
    }

    @Test
    void lockSaysWhenItCreatesItsFile() {
        Result created = h.run("lock", "/ls/local/l", "--", "true");
        assertEquals(0, created.code(), created::err);
        assertEquals(List.of("created /ls/local/l (an empty file: it did not exist)"), created.errLines());
        Result existing = h.run("lock", "/ls/local/l", "--", "true");
        assertEquals(0, existing.code(), existing::err);
        assertEquals("", existing.err(), "nothing to say when the file exists");
    }

    @Test
    void lockWaitBelowZeroIsRefusedAndZeroMeansOnlyIfFreeNow() {
        Result negative = h.run("lock", "--wait", "-1", "/ls/local/l", "--", "true");
        assertEquals(Cli.USAGE, negative.code());
        oneLineWithoutNull(negative, "--wait must be 0 or more seconds, was -1");
        h.run("put", "/ls/local/l", "");
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.forCell(h.cell().address()));
             Handle x = c.open("/ls/local/l", OpenOptions.write())) {
            assertTrue(x.tryAcquire(LockMode.EXCLUSIVE));
            Result zero = h.run("lock", "--wait", "0", "/ls/local/l", "--", "true");
            assertEquals(Cli.FAILURE, zero.code());
            oneLineWithoutNull(zero, "held by someone else (gave up after 0 s)");
        }
    }

    @Test
    void putCasNeverCreatesAndSaysSo() {
        Result r = h.run("put", "--cas", "1", "/ls/local/missing", "v");
        assertEquals(ErrorCode.NO_SUCH_NODE.exitCode(), r.code());
        assertEquals(List.of("chubby: NO_SUCH_NODE: /ls/local/missing does not exist: put --cas never creates a file"
                + " (put without --cas does)"), r.errLines());
        assertFalse(h.exists("/ls/local/missing"));
    }

    @Test
    void aTrailingSlashNamesTheSameNode() {
        h.run("put", "/ls/local/f/", "v");
        assertEquals("v", h.contents("/ls/local/f"), "as documented: /ls/local/f/ is /ls/local/f, even for a file");
        assertEquals("v", h.run("cat", "/ls/local/f/").out());
    }

    @Test
    void unreachableHostsAndBadSequencersSayWhatHappened() {
        Result host = h.run("--cell", "nosuchhost.invalid:7001", "--timeout", "1", "cat", "/ls/local/x");
        assertEquals(ErrorCode.CELL_UNAVAILABLE.exitCode(), host.code());
        oneLineWithoutNull(host, "cannot connect to nosuchhost.invalid:7001: unknown host");
        Result master = h.run("--cell", "nosuchhost.invalid:7001", "--timeout", "1", "master");
        assertEquals(ErrorCode.CELL_UNAVAILABLE.exitCode(), master.code());
        oneLineWithoutNull(master, "named a master within 1 s (--timeout)");
        Result seq = h.run("sequencer", "show", "53");
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), seq.code());
        oneLineWithoutNull(seq, "not a sequencer: 1 byte, fewer than the 40 of an empty path's sequencer");
    }

    /**
     * The replica comes up while {@code master} / {@code cell status} are already trying: they
     * keep trying for --timeout, as a file command does, instead of giving up at once.
     */
    @Test
    void masterAndCellStatusKeepTryingUntilTheCellAnswers() throws Exception {
        for (List<String> command : List.of(List.of("master"), List.of("cell", "status"))) {
            String closed = InProcessReplicas.closedAddress();
            int port = Integer.parseInt(closed.substring(closed.lastIndexOf(':') + 1));
            h.env.put(CliContext.CELL_ENV, closed);
            CompletableFuture<Result> run = CompletableFuture.supplyAsync(() -> h.run(
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("--timeout", "30"), command.stream())
                            .toArray(String[]::new)));
            Await.until(command + " to have tried once and failed", () -> h.probes.contains(closed + " failed"));
            InProcessCell late = h.use(InProcessCell.builder().port(port).start());
            Result r = run.get(60, TimeUnit.SECONDS);
            assertEquals(0, r.code(), () -> command + ": " + r.err());
            assertTrue(r.out().contains(late.address()), r::out);
        }
    }
}
