package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.cli.internal.Cli;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command tree is built for the subcommand a line names only (picocli's model of every
 * subcommand costs as much as the rest of a short command); what a line means must not change.
 */
class CommandTreeTest {
    private final Harness h = Harness.withCell();

    @AfterEach
    void close() {
        h.close();
    }

    private static CliContext context() {
        return new CliContext(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                new ByteArrayInputStream(new byte[0]), Map.of(), Path.of(""), null, CliContext.Waiter.EMBEDDED, false);
    }

    @Test
    void theNamedSubcommandIsFoundPastGlobalOptions() {
        assertEquals(Optional.of("cat"), ChubbyCommand.named("cat", "/ls/local/x"));
        assertEquals(Optional.of("cat"), ChubbyCommand.named("--cell", "h:1", "--timeout", "3", "cat", "/ls/local/x"));
        assertEquals(Optional.of("cell"), ChubbyCommand.named("--cell=h:1", "cell", "status"));
        assertEquals(Optional.of("put"), ChubbyCommand.named("-V", "put")); // picocli decides what -V then means
        assertEquals(Optional.empty(), ChubbyCommand.named("--help"));
        assertEquals(Optional.empty(), ChubbyCommand.named("nosuchcommand", "x"));
        assertEquals(Optional.empty(), ChubbyCommand.named("--cell", "cat")); // 'cat' is the cell here
        assertEquals(Optional.empty(), ChubbyCommand.named());
    }

    @Test
    void aLineGetsOnlyItsSubcommandAndEverythingElseGetsAll() {
        assertEquals(Set.of("cat"), Cli.commandLine(context(), "--cell", "h:1", "cat", "/x").getSubcommands().keySet());
        assertEquals(Set.of("up", "down", "restart", "status", "cert", "move-master"),
                Cli.commandLine(context(), "cell", "up").getSubcommands().get("cell").getSubcommands().keySet());
        assertEquals(ChubbyCommand.SUBCOMMANDS, List.copyOf(Cli.commandLine(context(), "--help").getSubcommands().keySet()));
        assertEquals(ChubbyCommand.SUBCOMMANDS, List.copyOf(Cli.commandLine(context(), "lss", "/x").getSubcommands().keySet()));
        CommandLine admin = Cli.commandLine(context(), "admin", "lb", "-s").getSubcommands().get("admin");
        assertTrue(admin.isStopAtPositional(), "admin takes the rest of the line as the Gogo command");
    }

    @Test
    void globalOptionsWorkBeforeAndAfterALazilyAddedSubcommand() {
        h.run("put", "/ls/local/x", "v");
        String cell = h.env.get(CliContext.CELL_ENV);
        h.env.remove(CliContext.CELL_ENV);
        Result before = h.run("--cell", cell, "--timeout", "5", "cat", "/ls/local/x");
        assertEquals(0, before.code(), before::err);
        assertEquals("v", before.out());
        Result after = h.run("cat", "--cell", cell, "--timeout", "5", "/ls/local/x");
        assertEquals(0, after.code(), after::err);
        assertEquals("v", after.out());
    }

    @Test
    void anUnknownSubcommandIsAUsageErrorWithASuggestion() {
        Result r = h.run("lss", "/ls/local");
        assertEquals(Cli.USAGE, r.code());
        assertTrue(r.err().contains("lss") && r.err().contains("ls"), r::err);
    }
}
