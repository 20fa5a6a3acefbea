package io.chubby.cli.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * {@code chubby ls} on a real cell of four partitions ({@link PartitionedCell}): the root (its node
 * in partition 0, its children elsewhere) and a directory whose children live in another partition
 * than its node are listed in full (the client's anchor handles, docs/PARTITIONING.md 4.3).
 */
class LsCommandTest {
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

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    @Test
    void theRootAndACrossingDirectoryAreListedOnAPartitionedCell() throws Exception {
        cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
        h.env.put(CliContext.CELL_ENV, cell.cellSpec());
        int rootChildren = PartitionHash.slotOf("/") % PartitionedCell.N;
        String name = null;
        for (int i = 0; name == null; i++) {
            int p = PartitionHash.slotOf("/d" + i) % PartitionedCell.N;
            name = p != rootChildren ? "d" + i : null; // its node with the root's children, its own elsewhere
        }
        String dir = "/ls/local/" + name;
        ok("mkdir", dir);
        ok("put", dir + "/f", "v");
        ok("put", "/ls/local/top", "v");

        assertEquals(List.of(name + "/", "top"), ok("ls", "/ls/local").outLines());
        assertEquals(List.of("f"), ok("ls", dir).outLines());
    }
}
