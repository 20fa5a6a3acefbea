package io.chubby.sim.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.DirEntry;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.OpenOptions;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.protocol.Request;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anchor handles in the Java client (docs/PARTITIONING.md 4.3, step 11) on a cell of four
 * partitions ({@link PartitionedCell}): the root (node in partition 0, children in 2) and a
 * directory whose node is in 2 and children in 1 are listed through an anchor handle opened in the
 * partition of their children, and a CHILD_ADDED of a child there reaches the directory's handle.
 */
class ClientAnchorHandlesTest {
    private static final CellSettings SETTINGS = new CellSettings("local", 262_144, 3_000, 60_000, 1_000, 50);
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private PartitionedCell cell;
    private ChubbyClient client;

    @BeforeEach
    void start() throws Exception {
        cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
        client = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec()).clientName("anchors")
                .callTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(1))
                .retryBackoff(Duration.ofMillis(20)).build());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cell != null) {
            cell.close();
        }
    }

    /** A child of the root whose own children live on {@code partition}. */
    private static String directoryOn(int partition) {
        for (int i = 0; ; i++) {
            String d = "/d" + i;
            if (PartitionHash.slotOf(d) % PartitionedCell.N == partition) {
                return "/ls/local" + d;
            }
        }
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    @Test
    void theRootAndACrossingDirectoryAreListedFromThePartitionOfTheirChildren() {
        String dir = directoryOn(1);
        client.ensureDirectory(dir);
        client.write("/ls/local/top", V);
        client.write(dir + "/a", V);
        client.write(dir + "/b", V);

        assertEquals(List.of(dir.substring("/ls/local/".length()), "top"), names(client.list("/ls/local")));
        int mark = cell.received.size();
        assertEquals(List.of("a", "b"), names(client.list(dir)));
        assertEquals(1, cell.count(mark, 1, Request.BodyCase.READ_DIR), "the listing is answered by partition 1");
        assertTrue(cell.received.stream().skip(mark).anyMatch(x -> x.request().hasOpen()
                && x.request().getOpen().getDirectoryWatch() && x.request().getPartition() == 1));
    }

    @Test
    void aChildAddedInThePartitionOfTheChildrenReachesTheDirectorysHandle() {
        String dir = directoryOn(1);
        client.ensureDirectory(dir);
        List<Event> heard = new CopyOnWriteArrayList<>();
        try (Handle d = client.open(dir, OpenOptions.read().withEvents(Set.of(EventType.CHILD_ADDED,
                EventType.CHILD_REMOVED)))) {
            d.addEventListener(heard::add);
            client.write(dir + "/x", V);
            Await.until("CHILD_ADDED of x on " + dir, () -> !heard.isEmpty());
            Event e = heard.get(0);
            assertEquals(EventType.CHILD_ADDED, e.type());
            assertEquals(dir, e.path());
            assertEquals("x", e.child());
            assertEquals(1, e.partition(), "heard through partition 1's session");
            assertEquals(List.of("x"), names(d.readDir()));
        }
        assertEquals(List.of("x"), names(client.list(dir)));
    }
}
