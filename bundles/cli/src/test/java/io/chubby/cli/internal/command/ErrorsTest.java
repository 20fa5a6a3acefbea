package io.chubby.cli.internal.command;

import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.sim.cell.InProcessCell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and the single stderr line for every kind of failure (a real cell where one is needed). */
class ErrorsTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void chubbyErrorsExitWithTheirCodeAndOneLine() {
        h.use(InProcessCell.start());
        Result r = h.run("cat", "/ls/local/x");
        assertEquals(ErrorCode.NO_SUCH_NODE.exitCode(), r.code());
        assertEquals(List.of("chubby: NO_SUCH_NODE: /ls/local/x does not exist"), r.errLines());
        assertEquals("", r.out());
    }

    /** "May or may not have been applied" has its own code and exit status: 28, not CELL_UNAVAILABLE's 21. */
    @Test
    void aWriteOfUnknownOutcomeExits28() {
        InProcessCell cell = h.use(InProcessCell.start());
        // the command's first proposal after its session exists (the Open that creates the file)
        // commits, but the master cannot tell: it answers OUTCOME_UNKNOWN
        h.onConnect = c -> cell.consensus().failNextProposalAfterCommit();
        Result r = h.run("put", "/ls/local/f", "v");
        assertEquals(28, r.code());
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.exitCode(), r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("chubby: OUTCOME_UNKNOWN: outcome unknown: the master lost mastership"), r.err());
        h.onConnect = c -> { };
        assertTrue(h.exists("/ls/local/f"), "it was applied: hence 'check before retrying'");
    }

    @Test
    void badPathIsInvalidArgument() {
        h.use(InProcessCell.start());
        Result r = h.run("stat", "/tmp/x");
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), r.code());
        assertEquals(1, r.errLines().size());
        assertTrue(r.err().startsWith("chubby: INVALID_ARGUMENT: bad path '/tmp/x'"), r.err());
    }

    @Test
    void directoryErrorsMapToTheirCodes() {
        h.use(InProcessCell.start());
        h.run("mkdir", "/ls/local/d");
        assertEquals(ErrorCode.IS_A_DIRECTORY.exitCode(), h.run("cat", "/ls/local/d").code());
        h.run("put", "/ls/local/f", "x");
        assertEquals(ErrorCode.NOT_A_DIRECTORY.exitCode(), h.run("ls", "/ls/local/f").code());
    }

    /** Issue 15: errors name the path as the user typed it, not the cell-relative key or the cell's own name. */
    @Test
    void errorsNameThePathAsTyped() {
        h.use(InProcessCell.builder().cellName("prod").start());
        h.run("mkdir", "/ls/local/d");
        assertEquals(List.of("chubby: IS_A_DIRECTORY: /ls/local/d is a directory: it has no contents"),
                h.run("cat", "/ls/local/d").errLines());
        h.run("put", "/ls/local/d/f", "x");
        assertEquals(List.of("chubby: NOT_A_DIRECTORY: /ls/local/d/f is a file, not a directory"),
                h.run("ls", "/ls/local/d/f").errLines());
        assertEquals(List.of("chubby: CAS_MISMATCH: /ls/local/d/f is at content generation 1, not 9"),
                h.run("put", "--cas", "9", "/ls/local/d/f", "y").errLines());
        assertEquals(List.of("chubby: CAS_MISMATCH: /ls/prod/d/f is at content generation 1, not 9"),
                h.run("put", "--cas", "9", "/ls/prod/d/f", "y").errLines(), "typed with the cell's name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nosuchcommand", "ls", "put /ls/local/x", "put --hold 3 /ls/local/x v",
            "put --cas 1 --ephemeral /ls/local/x v", "put --cas x /ls/local/x v", "acl", "acl set /ls/local/x",
            "cell", "cell up --replicas 4", "cell up --replicas 11", "cell up --base-port 65500",
            "ls --bogus /ls/local", "admin", "rm", "stat a b", "--timeout 0 ls /ls/local"})
    void usageErrorsExitTwoWithOneLine(String line) {
        Result r = h.run(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(2, r.code(), () -> "'" + line + "' stderr: " + r.err());
        assertEquals(1, r.errLines().size(), () -> "'" + line + "' stderr: " + r.err());
        assertTrue(r.err().startsWith("chubby: "), r.err());
    }

    @Test
    void missingCellIsAUsageError() {
        h.env.remove("CHUBBY_CELL");
        Result r = h.run("ls", "/ls/local");
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size());
        assertTrue(r.err().contains("no cell given"), r.err());
    }

    @Test
    void badCellSpecIsInvalidArgument() {
        Result r = h.run("--cell", "nohostport", "ls", "/ls/local");
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), r.code());
        assertEquals(1, r.errLines().size());
    }

    @Test
    void cellUpWithoutHomeFailsWithOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        h.workDir = dir;
        Result r = h.run("cell", "up", "--replicas", "1");
        assertEquals(1, r.code());
        assertEquals(List.of("chubby: CHUBBY_HOME is not set: run 'cell up' through the distribution's bin/chubby"),
                r.errLines());
    }

    @Test
    void helpGoesToStdoutAndListsEveryCommand() {
        Result r = h.run("--help");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        for (String c : List.of("cell", "master", "ls", "stat", "cat", "mkdir", "rm", "put", "acl", "admin")) {
            assertTrue(r.out().contains("\n  " + c + " "), () -> c + " missing from help:\n" + r.out());
        }
        assertEquals(0, h.run("cell", "up", "--help").code());
    }
}
