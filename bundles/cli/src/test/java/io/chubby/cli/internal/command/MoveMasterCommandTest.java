package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.sim.cell.PartitionedCell;
import io.chubby.spi.AdminShell;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code chubby cell move-master --group G [--to ID]}, the same operation as {@code chubby master
 * transfer}: {@code paxos:transfer} runs in the master of group G, which in a partitioned cell
 * ({@link PartitionedCell}: groups 0..3 mastered by replicas 1, 2, 3, 1) is the group's own; and
 * {@code chubby master} names each group's master there.
 */
class MoveMasterCommandTest {
    private static final CellSettings SETTINGS = new CellSettings("local", 262_144, 3_000, 60_000, 1_000, 50);
    private final Harness h = new Harness();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private PartitionedCell cell;

    @AfterEach
    void stop() {
        h.close();
        if (cell != null) {
            cell.close();
        }
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    private List<String> partitioned() throws Exception {
        cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
        h.env.put(CliContext.CELL_ENV, cell.cellSpec());
        List<String> addresses = List.of(cell.cellSpec().split(","));
        for (int r = 1; r <= 3; r++) {
            String address = addresses.get(r - 1);
            cell.setAdminShell(r, line -> {
                calls.add(address + " " + line);
                return new AdminShell.Result(0, "moved\n");
            });
        }
        return addresses;
    }

    @Test
    void eachGroupIsMovedByItsOwnMaster() throws Exception {
        List<String> a = partitioned();
        assertEquals("moved\n", ok("cell", "move-master", "--group", "2", "--to", "1").out());
        ok("cell", "move-master", "--group", "1");
        ok("cell", "move-master", "--group", "0", "--to", "2");
        ok("master", "transfer", "--group", "3", "--to", "2");
        assertEquals(List.of(a.get(2) + " paxos:transfer --group 2 --to 1", a.get(1) + " paxos:transfer --group 1",
                a.get(0) + " paxos:transfer --group 0 --to 2", a.get(0) + " paxos:transfer --group 3 --to 2"), calls);
    }

    @Test
    void masterNamesEveryGroupsMasterInAPartitionedCell() throws Exception {
        List<String> a = partitioned();
        List<String> lines = ok("master").outLines();
        assertEquals(1 + PartitionedCell.N, lines.size(), String.join("\n", lines));
        assertEquals(a.get(0), lines.get(0).substring(0, lines.get(0).indexOf(' ')), "group 0's master first, as before");
        for (int g = 0; g < PartitionedCell.N; g++) {
            int m = PartitionedCell.MASTERS[g];
            String line = lines.get(1 + g);
            assertEquals("group=" + g + " master=" + m + " address=" + a.get(m - 1),
                    line.substring(0, line.indexOf(" epoch=")));
        }
    }

    @Test
    void aCellOfOnePartitionMovesGroupZerosMaster() {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, 2, 4));
        for (int id = 1; id <= 3; id++) {
            String address = r.addresses().get(id - 1);
            r.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line);
                return new AdminShell.Result(0, "moved\n");
            });
        }
        ok("cell", "move-master", "--group", "0", "--to", "3");
        assertEquals(List.of(r.addresses().get(1) + " paxos:transfer --group 0 --to 3"), calls);
        assertEquals(1, ok("master").outLines().size(), "one line: no groups in a cell of one partition");
        assertEquals(2, h.run("cell", "move-master", "--to", "3").code(), "--group is required");
    }
}
