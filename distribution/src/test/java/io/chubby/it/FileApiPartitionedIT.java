package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.PartitionHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link FileApiBehaviour} on a five-replica cell of four partitions ({@code cell up --partitions
 * 4}, issue 18 step 14) whose clients reach it through two proxies of real processes: each test's
 * directory is a child of the root (on the root's partition) and its files live on hash(directory)
 * mod 4, so the suite's calls cross partitions and go to each partition's master through the
 * proxies. The raw-protocol tests of {@link WireProtocolBehaviour} are not run here: a raw client
 * speaks to group 0's master and would have to route by partition itself ({@code PartitionedCellIT}
 * and the session-mgr tests cover WRONG_PARTITION). The last test checks that the suite's files
 * really were spread over the partitions, as each file's Stat names them.
 */
class FileApiPartitionedIT extends FileApiBehaviour {
    private static final int N = 4;
    private final List<String> dirs = new ArrayList<>();

    @Override
    int replicas() {
        return 5;
    }

    @Override
    protected String[] upOptions() {
        return new String[] {"--partitions", Integer.toString(N)};
    }

    @Override
    protected int proxies() {
        return 2;
    }

    @Override
    protected String dir(String name) {
        String d = super.dir(name);
        dirs.add(d);
        return d;
    }

    @Test
    @Order(9_000)
    void theSuitesFilesLiveOnTheirDirectoriesPartitions() {
        TreeSet<Integer> used = new TreeSet<>();
        for (String d : dirs) {
            int expected = PartitionHash.slotOf(d.substring("/ls/local".length())) % N;
            String probe = d + "/partition-probe";
            client.write(probe, "p".getBytes(StandardCharsets.UTF_8));
            assertEquals(expected, client.stat(probe).partition(), probe + ": a child of " + d);
            used.add(expected);
        }
        assertTrue(used.size() >= 3, "the suite's " + dirs.size() + " directories hold files on partitions " + used);
    }
}
