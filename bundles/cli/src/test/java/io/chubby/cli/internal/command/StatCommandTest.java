package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.sim.cell.PartitionedCell;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code chubby stat} on real cells of three replicas ({@link PartitionedCell}: session-mgr's
 * CellHost per replica): in a cell of four partitions its last line names the partition that
 * holds the node, partition 0 included; in a cell of one partition there is no such line. And
 * {@code chubby ls} of the root and of directories whose children live on another partition than
 * their node: every child listed (anchor handles, docs/PARTITIONING.md 4.3).
 */
class StatCommandTest {
    private static final CellSettings SETTINGS = new CellSettings("local", 262_144, 3_000, 60_000, 1_000, 50);
    private final Harness h = new Harness();
    private PartitionedCell cell;

    @AfterEach
    void stop() {
        h.close();
        if (cell != null) {
            cell.close();
        }
    }

    private void use(int partitions) throws Exception {
        cell = new PartitionedCell(SETTINGS, partitions);
        h.env.put(CliContext.CELL_ENV, cell.cellSpec());
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    private static String last(Result r) {
        List<String> lines = r.outLines();
        return lines.get(lines.size() - 1);
    }

    /** A directory under the root whose children live on {@code partition} of {@code n} (found by trying names). */
    private static String directoryOn(int partition, int n) {
        for (int i = 0; ; i++) {
            String d = "/d" + i;
            if (PartitionHash.slotOf(d) % n == partition) {
                return d;
            }
        }
    }

    @Test
    void statNamesThePartitionOfTheNodeInAPartitionedCell() throws Exception {
        use(PartitionedCell.N);
        int rootChildren = PartitionHash.slotOf("/") % PartitionedCell.N;
        for (int p = 0; p < PartitionedCell.N; p++) {
            String dir = "/ls/local" + directoryOn(p, PartitionedCell.N);
            ok("mkdir", dir);
            ok("put", dir + "/f", "v" + p);
            Result file = ok("stat", dir + "/f");
            assertEquals("path: " + dir + "/f", file.outLines().get(0));
            assertEquals("partition: " + p, last(file), "a file in a directory whose children are on " + p);
            assertEquals("partition: " + rootChildren, last(ok("stat", dir)), "a child of the root");
        }
        assertEquals("partition: 0", last(ok("stat", "/ls/local")), "the root is on partition 0");
    }

    @Test
    void aCellOfOnePartitionPrintsNoPartitionLine() throws Exception {
        use(1);
        ok("put", "/ls/local/f", "v");
        Result r = ok("stat", "/ls/local/f");
        assertEquals("modified", last(r).substring(0, last(r).indexOf(':')), "the last line is as before partitions");
        assertFalse(r.out().contains("partition"), r.out());
    }

    @Test
    void lsListsEveryChildOfTheRootAndOfDirectoriesWhoseChildrenLiveElsewhere() throws Exception {
        use(PartitionedCell.N);
        int rootChildren = PartitionHash.slotOf("/") % PartitionedCell.N;
        List<String> top = new java.util.ArrayList<>(List.of("top"));
        ok("put", "/ls/local/top", "v");
        for (int p = 0; p < PartitionedCell.N; p++) {
            String name = directoryOn(p, PartitionedCell.N).substring(1);
            ok("mkdir", "/ls/local/" + name);
            ok("put", "/ls/local/" + name + "/f" + p, "v");
            top.add(name + "/");
            assertEquals(List.of("f" + p), ok("ls", "/ls/local/" + name).outLines(),
                    "children on " + p + ", the node on " + rootChildren);
        }
        java.util.Collections.sort(top);
        assertEquals(top, ok("ls", "/ls/local").outLines());
    }
}
