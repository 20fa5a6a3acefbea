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

/** {@code chubby member add|remove|replace|list}: paxos:member / paxos:members in the master. */
class MemberCommandsTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err() + " out: " + r.out());
        assertEquals("", r.err());
        return r;
    }

    /** Three replicas (master 2) whose admin shells record "ADDRESS LINE"; removing 9 fails with status 1. */
    private List<String> replicas(List<String> calls) {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, 2, 4));
        for (int id = 1; id <= 3; id++) {
            String address = r.addresses().get(id - 1);
            r.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line);
                return line.contains("remove 9") ? new AdminShell.Result(1, "replica 9 is not a member\n")
                        : new AdminShell.Result(0, "done: " + line);
            });
        }
        return r.addresses();
    }

    @Test
    void eachSubcommandRunsItsGogoLineInTheMaster() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicas(calls);
        String m = a.get(1);
        assertEquals("done: paxos:member add 4 h4:7104 h4:7004\n", ok("member", "add", "4", "h4:7104", "h4:7004").out());
        ok("member", "remove", "3", "--group", "2");
        ok("member", "replace", "1", "5", "h5:7105", "h5:7005");
        ok("member", "list");
        assertEquals(List.of(m + " paxos:member add 4 h4:7104 h4:7004", m + " paxos:member remove 3 --group 2",
                m + " paxos:member add 5 h5:7105 h5:7005", m + " paxos:member remove 1", m + " paxos:members"), calls);
    }

    @Test
    void aRefusalExitsOneWithTheMastersWordsAndUsageErrorsExitTwo() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicas(calls);
        Result failed = h.run("member", "remove", "9");
        assertEquals(1, failed.code());
        assertEquals("replica 9 is not a member\n", failed.out());
        assertEquals(List.of("chubby: 'paxos:member remove 9' failed in replica 2 (" + a.get(1) + ")"),
                failed.errLines());
        assertEquals(2, h.run("member").code(), "a subcommand is required");
        assertEquals(2, h.run("member", "add", "4").code(), "addresses are required");
        assertEquals(2, h.run("member", "remove", "x").code(), "an id is a number");
    }
}
