package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.CellAccess;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.spi.AdminShell;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Gogo commands and the admin shell through the real Gogo runtime (outside OSGi): argument
 * passing to the varargs methods, output capture and failures as Gogo sees them.
 */
class RealGogoTest {
    private final InProcessCell cell = InProcessCell.start();
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;

    @BeforeEach
    void gogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        GogoCommands commands = new GogoCommands(cell.address(), CellAccess.LIBRARY);
        for (String f : new String[] {"ls", "cat", "put", "stat", "mkdir", "rm", "master", "status"}) {
            processor.addCommand("chubby", commands, f);
        }
    }

    @AfterEach
    void stop() {
        processor.stop();
        threadIO.stop();
        cell.close();
    }

    @Test
    void commandLinesReachThePicocliCommands() {
        assertEquals(0, GogoAdminShell.execute(processor, "chubby:mkdir -p /ls/local/a/b").status());
        AdminShell.Result put = GogoAdminShell.execute(processor, "chubby:put /ls/local/a/b/f 'hello gogo'");
        assertEquals(0, put.status(), put.output());
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.forCell(cell.address()))) {
            assertEquals("hello gogo", new String(c.read("/ls/local/a/b/f"), StandardCharsets.UTF_8));
        }
        AdminShell.Result ls = GogoAdminShell.execute(processor, "chubby:ls -l /ls/local/a/b");
        assertEquals(0, ls.status(), ls.output());
        assertTrue(ls.output().contains(" f\n"), ls.output());
        assertEquals("f\n", GogoAdminShell.execute(processor, "chubby:ls /ls/local/a/b").output());
        AdminShell.Result rm = GogoAdminShell.execute(processor, "chubby:rm -r /ls/local/a");
        assertEquals(0, rm.status(), rm.output());
    }

    @Test
    void failingCommandIsStatusOneWithItsErrorLine() {
        AdminShell.Result r = GogoAdminShell.execute(processor, "chubby:cat /ls/local/missing");
        assertEquals(1, r.status());
        assertEquals("chubby: NO_SUCH_NODE: /ls/local/missing does not exist\n", r.output());
    }
}
