package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.spi.AdminShell;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code chubby mirror status|confirm}: the mirror: Gogo commands, run in the master through the admin channel. */
class MirrorCommandsTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void statusAndConfirmRunInTheMaster() {
        List<String> calls = new CopyOnWriteArrayList<>();
        InProcessReplicas r = h.use(InProcessReplicas.start(3, 2, 4));
        for (int id = 1; id <= 3; id++) {
            String address = r.addresses().get(id - 1);
            r.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line);
                return line.endsWith("nope") ? new AdminShell.Result(1, "no mirror named 'nope'\n")
                        : new AdminShell.Result(0, "g source=a:1/ls/global/x target=/ls/local/x state=streaming\n");
            });
        }
        String master = r.addresses().get(1);
        Result status = h.run("mirror", "status");
        assertEquals(0, status.code(), status.err());
        assertEquals("g source=a:1/ls/global/x target=/ls/local/x state=streaming\n", status.out());
        assertEquals(0, h.run("mirror", "confirm", "g").code());
        assertEquals(List.of(master + " mirror:status", master + " mirror:confirm g"), calls);

        Result failed = h.run("mirror", "confirm", "nope");
        assertEquals(1, failed.code());
        assertEquals("no mirror named 'nope'\n", failed.out());
        assertEquals(1, h.run("mirror", "confirm", "a b").code(), "a bad name is refused before any call");
        assertEquals(2, h.run("mirror").code(), "a subcommand is required");
        assertEquals(2, h.run("mirror", "confirm").code(), "NAME is required");
    }
}
