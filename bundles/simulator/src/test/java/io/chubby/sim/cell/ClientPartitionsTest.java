package io.chubby.sim.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.api.SessionState;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.CacheMode;
import io.chubby.client.Handle;
import io.chubby.client.Sequencer;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.Request;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client on a cell of four partitions (docs/PARTITIONING.md step 11): three replicas of
 * session-mgr's CellHost in this JVM ({@link PartitionedCell}; group g mastered by replica
 * MASTERS[g], group 2 alone on replica 3), reached over loopback TCP like any cell; and on a cell
 * of one partition, which sees the requests of a client before partitions. Lives here,
 * not in bundles/client, because the client cannot depend on session-mgr and transport-mina
 * (transport-mina depends on the client, scope provided: a module cycle).
 */
class ClientPartitionsTest {
    /** 3 s leases (KeepAlives held 2 s), the timer every 50 ms. */
    private static final CellSettings SETTINGS = new CellSettings("local", 262_144, 3_000, 60_000, 1_000, 50);
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);
    private static final byte[] W = "w".getBytes(StandardCharsets.UTF_8);
    private PartitionedCell cell;
    private ChubbyClient client;
    private final List<SessionState> states = new CopyOnWriteArrayList<>();
    /** Each partition session's state changes, as "p STATE". */
    private final List<String> partitionStates = new CopyOnWriteArrayList<>();
    /** A file on partition p: in a directory whose children live on p (the root's children: 2). */
    private final String[] file = new String[PartitionedCell.N];

    @BeforeEach
    void start() throws Exception {
        cell = new PartitionedCell(SETTINGS, PartitionedCell.N);
        client = connect(cell);
        client.addSessionListener(states::add);
        client.addPartitionStateListener((p, s) -> partitionStates.add(p + " " + s));
        for (int p : new int[] {1, 3}) {
            String dir = "/ls/local" + directoryOn(p);
            client.ensureDirectory(dir); // its node on 2 (a child of the root), its children on p
            file[p] = dir + "/f";
        }
        file[2] = "/ls/local/f";
        for (int p = 1; p < PartitionedCell.N; p++) {
            client.write(file[p], V);
        }
    }

    private static ChubbyClient connect(PartitionedCell to) {
        return ChubbyClient.connect(ClientOptions.builder().cell(to.cellSpec()).clientName("partitions")
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

    /** A directory (child of the root) whose children live on {@code partition}: found by trying names. */
    private static String directoryOn(int partition) {
        for (int i = 0; ; i++) {
            String d = "/d" + i;
            if (PartitionHash.slotOf(d) % PartitionedCell.N == partition) {
                return d;
            }
        }
    }

    /** The replicas that received an Open of {@code path}, and the partitions those Opens named. */
    private List<String> opensOf(String path) {
        return cell.received.stream().filter(x -> x.request().hasOpen() && x.request().getOpen().getPath().equals(path))
                .map(x -> "r" + x.replica() + " p" + x.request().getPartition()).distinct().toList();
    }

    @Test
    void callsToNodesOfDifferentPartitionsReachTheirGroups() {
        for (int p = 1; p < PartitionedCell.N; p++) {
            assertArrayEquals(V, client.read(file[p], CacheMode.UNCACHED));
            assertEquals(List.of("r" + PartitionedCell.MASTERS[p] + " p" + p), opensOf(file[p]),
                    "partition " + p + "'s node opened at its group's master only");
        }
        for (int g = 0; g < PartitionedCell.N; g++) {
            assertEquals(1, cell.sessions(g), "one partition session in group " + g);
        }
        // a lock lives with its node: taken through partition 3's session, checked at partition 3's master
        try (Handle h = client.open(file[3], OpenOptions.write())) {
            h.acquire(LockMode.EXCLUSIVE);
            Sequencer s = h.getSequencer();
            int mark = cell.received.size();
            assertTrue(client.checkSequencer(s.bytes()).valid());
            assertEquals(1, cell.count(mark, 3, Request.BodyCase.CHECK_SEQUENCER), "routed by the sequencer's path");
            h.release();
        }
        client.close();
        for (int g = 0; g < PartitionedCell.N; g++) {
            assertEquals(0, cell.sessions(g), "close ended group " + g + "'s partition session");
        }
    }

    @Test
    void aFailoverOfGroupTwoLeavesCallsToPartitionsOneAndThreeUndisturbed() throws Exception {
        cell.crash(3); // group 2's master: its partition session's KeepAlives go unanswered
        Await.until("partition 2's session in jeopardy", () -> client.sessionState() == SessionState.JEOPARDY);

        int mark = cell.received.size();
        for (int p : new int[] {1, 3}) {
            client.write(file[p], W);
            assertArrayEquals(W, client.read(file[p], CacheMode.UNCACHED));
        }
        for (int p : new int[] {1, 3}) {
            // a write and a read: each Open, SetContents and GetContents sent once (no retry)
            assertEquals(2, cell.count(mark, p, Request.BodyCase.OPEN), "partition " + p + " Opens");
            assertEquals(1, cell.count(mark, p, Request.BodyCase.SET_CONTENTS), "partition " + p + " writes");
            assertEquals(1, cell.count(mark, p, Request.BodyCase.GET_CONTENTS), "partition " + p + " reads");
        }
        assertEquals(0, cell.count(mark, 2, Request.BodyCase.OPEN), "nothing reached partition 2");
        assertEquals(SessionState.JEOPARDY, client.sessionState(), "they went on while partition 2 was in jeopardy");
        assertEquals(java.util.Map.of(0, SessionState.SAFE, 1, SessionState.SAFE, 2, SessionState.JEOPARDY, 3,
                SessionState.SAFE), client.partitionStates(), "partition 2 alone in jeopardy");

        CompletableFuture<?> held = client.writeAsync(file[2], W);
        cell.groups().elect(2, 1); // group 2 fails over to replica 1
        held.get(20, TimeUnit.SECONDS);
        Await.until("safe again", () -> client.sessionState() == SessionState.SAFE);
        assertArrayEquals(W, client.read(file[2], CacheMode.UNCACHED));
        // The listeners hear a change after sessionState() shows it (another thread calls them).
        Await.until("the listeners heard the return", () -> states.size() >= 2 && partitionStates.size() >= 2);
        assertEquals(List.of(SessionState.JEOPARDY, SessionState.SAFE), states, "no expiry");
        assertEquals(List.of("2 JEOPARDY", "2 SAFE"), partitionStates, "partitions 0, 1 and 3 never left SAFE");
        assertEquals(1, cell.sessions(2), "the same partition session at group 2's new master");
        assertTrue(opensOf(file[2]).contains("r1 p2"), "partition 2's calls follow its new master");
    }

    @Test
    void expiryOfOnePartitionSessionExpiresTheSession() {
        cell.clock(3).advance(Duration.ofMinutes(5)); // group 2's master ends its sessions at its next tick
        Await.until("the session expired", () -> client.sessionState() == SessionState.EXPIRED);
        Await.until("every partition session ended", () -> cell.sessions(0) + cell.sessions(1) + cell.sessions(2)
                + cell.sessions(3) == 0);
        ChubbyException e = assertThrows(ChubbyException.class, () -> client.write(file[1], W));
        assertEquals(ErrorCode.SESSION_EXPIRED, e.code());
        assertEquals(SessionState.EXPIRED, states.get(states.size() - 1));
        assertEquals("2 EXPIRED", partitionStates.stream().filter(x -> x.endsWith("EXPIRED")).findFirst().orElse(null),
                "partition 2's session expired first: " + partitionStates);
    }

    @Test
    void aCellOfOnePartitionSeesNoPartitionField() throws Exception {
        try (PartitionedCell one = new PartitionedCell(SETTINGS, 1); ChubbyClient c = connect(one)) {
            c.ensureDirectory("/ls/local/d");
            c.write("/ls/local/d/f", V);
            assertArrayEquals(V, c.read("/ls/local/d/f", CacheMode.UNCACHED));
            assertEquals(java.util.Map.of(0, SessionState.SAFE), c.partitionStates(), "one partition session");
            c.close();
            assertTrue(one.received.size() >= 8, "discovery, session, Opens, writes, reads, closes");
            for (PartitionedCell.Received x : one.received) {
                // proto3 does not send a zero: these requests are byte for byte those of client 1.6.0
                assertEquals(0, x.request().getPartition(), x.request().getBodyCase() + " names no partition");
                assertTrue(!x.request().hasCreateSession() || !x.request().getCreateSession().getPartitionAware(),
                        "a one-partition cell is not told the client routes");
            }
            assertEquals(1, one.received.stream().filter(x -> x.request().hasCreateSession()).count(), "one session");
        }
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    /**
     * Anchor handles (docs/PARTITIONING.md 4.3): the root (node on 0, children on 2) and a directory
     * whose node is on 2 and children on 1 are listed by the partition of their children, through an
     * Open with directory_watch there.
     */
    @Test
    void directoriesWhoseChildrenLiveOnAnotherPartitionAreListedThere() {
        assertEquals(Stream.of(directoryOn(1).substring(1), directoryOn(3).substring(1), "f").sorted().toList(),
                names(client.list("/ls/local")));
        String dir = "/ls/local" + directoryOn(1);
        int mark = cell.received.size();
        List<DirEntry> listed = client.list(dir);
        assertEquals(List.of("f"), names(listed));
        assertEquals(1, cell.count(mark, 1, Request.BodyCase.READ_DIR), "the listing is answered by partition 1");
        assertEquals(client.stat(dir + "/f"), listed.get(0).stat(), "a listed child's Stat names its partition, 1");
        assertTrue(cell.received.stream().skip(mark).anyMatch(x -> x.request().hasOpen()
                && x.request().getOpen().getDirectoryWatch() && x.request().getPartition() == 1));
    }

    /** A child added on the partition of the children is heard on the directory's handle (opened on 2). */
    @Test
    void aChildAddedOnThePartitionOfTheChildrenIsHeardOnTheDirectorysHandle() {
        String dir = "/ls/local" + directoryOn(3);
        List<Event> heard = new CopyOnWriteArrayList<>();
        try (Handle d = client.open(dir, OpenOptions.read().withEvents(Set.of(EventType.CHILD_ADDED,
                EventType.CHILD_REMOVED)))) {
            d.addEventListener(heard::add);
            client.write(dir + "/x", V);
            Await.until("CHILD_ADDED of x on " + dir, () -> !heard.isEmpty());
            assertEquals(new Event(EventType.CHILD_ADDED, dir, "x", heard.get(0).generation(), 3), heard.get(0),
                    "heard through partition 3's session");
            assertEquals(List.of("f", "x"), names(d.readDir()));
        }
    }
}
