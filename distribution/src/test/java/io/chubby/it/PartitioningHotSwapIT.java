package io.chubby.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.api.PartitionHash;
import io.chubby.api.SessionState;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;
import io.chubby.spi.Partitioner;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The partitioning bundle (issue 18 step 14, issue 23) hot-swapped in Felix, on a one-replica cell
 * started from the distribution's bundles without {@code chubby-partitioning.jar}:
 * <ol>
 * <li>absent: no partitioner, no {@code partitioning} Status metric, no group list;</li>
 * <li>installed and started but unconfigured: inert (no service), the cell still one partition;</li>
 * <li>configured {@code partition.count=4} while the cell is empty: the Partitioner of 4 is
 * registered, bound and recorded (Status {@code partitioning=4 fnv1a64-v1}, 4 groups each with a
 * master); four clients then write, read back uncached and stat files in four directories whose
 * children live on partitions 0, 1, 2 and 3 (one replica masters every group, so the crossing
 * directories' steps between groups stay in the process);</li>
 * <li>updated to a new build (another Bundle-Version) under that load: the partitioner goes and
 * comes back, the calls refused meanwhile are sent again by the client, none fails;</li>
 * <li>reconfigured {@code partition.count=8} on the cell with data: the cell keeps its 4 and
 * refuses calls CELL_UNAVAILABLE naming both numbers (Status {@code mismatch}); a bad count
 * ({@code 0}): no service at all; configured back to 4: served again;</li>
 * <li>uninstalled: calls refused CELL_UNAVAILABLE naming the missing partitioner (Status {@code
 * missing}), for longer than two session leases; installed again: served, every file holds its last
 * acknowledged value.</li>
 * </ol>
 * No load call fails and no load session leaves SAFE. A client holding a session in every
 * partition across the uninstall and the reinstall keeps it SAFE throughout (the cell serves
 * KeepAlives without a partitioner: they name their group and no node), and writes in every
 * partition once the bundle is back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PartitioningHotSwapIT {
    private static final String BSN = "io.chubby.partition";
    private static final String JAR = "chubby-partitioning.jar";
    private static final String PID = "io.chubby.partition";
    private static final int CLIENTS = 4;
    private static final long WAIT_MS = 60_000;
    private static final int N = 4;
    /** The cell's default session lease (cell.session.lease.ms). */
    private static final long LEASE_MS = 12_000;
    private static final String RECORDED = "4 fnv1a64-v1";
    private static final String MISSING = "missing (4 fnv1a64-v1 recorded)";

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("partitioning-hotswap");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                ExamOptions.bundlesOf("bundle", JAR),
                frameworkProperty("chubby.it.partitioning.bundle").value(
                        ExamOptions.dist().resolve("bundle").resolve(JAR).toUri().toString()),
                ExamOptions.fileInstall(root));
    }

    /**
     * Client {@code id} writes its file, reads it back uncached and stats it until the load stops,
     * keeping each acknowledged value in {@code acknowledged}.
     */
    private static void writeReadStat(ExamLoad load, ChubbyClient c, int id, String path,
                                      Map<String, byte[]> acknowledged) {
        try (Handle h = c.open(path, OpenOptions.write().withCreate(CreateMode.MAY))) {
            for (long n = 0; !load.stopped(); n++) {
                byte[] v = ("v" + n).getBytes(StandardCharsets.UTF_8);
                h.setContents(v);
                acknowledged.put(path, v);
                if (!Arrays.equals(v, h.getContentsAndStat(CacheMode.UNCACHED).data())) {
                    load.failures.add("client " + id + " read back something else than it wrote");
                }
                c.stat(path);
                load.ok.addAndGet(3);
            }
        }
    }

    @Test(timeout = 300_000)
    public void swappedTheCellRefusesWithoutItAndServesAgainWithNoDataLost() throws Exception {
        assertNull("the partitioning bundle is not there before the test installs it", ExamOptions.find(context, BSN));
        String address = OneReplica.configure(configAdmin);
        await("the replica mastering its cell", () -> {
            try {
                return status(address).masterId() == 1;
            } catch (ChubbyException e) {
                return false; // not listening yet
            }
        });
        assertOnePartition(address, "absent");

        Bundle b = context.installBundle(context.getProperty("chubby.it.partitioning.bundle"));
        b.start();
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals("installed but unconfigured it is inert", 0, partitioners().size());
        assertOnePartition(address, "inert");

        // configured while the cell is empty (no session yet): recorded, 4 groups
        Configuration config = configAdmin.getConfiguration(PID, "?");
        Hashtable<String, Object> keys = new Hashtable<>();
        keys.put("partition.count", "4");
        config.update(keys);
        awaitPartitioner(4);
        awaitMetric(address, RECORDED::equals);
        await("4 groups mastered by replica 1", () -> status(address).groups().size() == N
                && status(address).groups().stream().allMatch(g -> g.masterId() == 1));

        List<String> dirs = new ArrayList<>();
        for (int p = 0; p < N; p++) {
            dirs.add(directoryWithChildrenOn(p));
        }
        try (ChubbyClient setup = OneReplica.awaitClient(address, "partitioning-it-setup")) {
            for (String d : dirs) {
                setup.mkdir("/ls/local" + d);
            }
        }
        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        ExamLoad load = new ExamLoad(address, CLIENTS, "partitioning-it-load", (l, c, id) ->
                writeReadStat(l, c, id, "/ls/local" + dirs.get(id) + "/f" + id, acknowledged));
        try {
            awaitOk(load, 300);
            String before = b.getVersion().toString();
            try (InputStream newBuild = Files.newInputStream(ExamOptions.nextBuild(b, JAR))) {
                b.update(newBuild);
            }
            await("the updated bundle ACTIVE", () -> b.getState() == Bundle.ACTIVE);
            assertNotEquals("a new build", before, b.getVersion().toString());
            awaitPartitioner(4);
            awaitMetric(address, RECORDED::equals);
            awaitOk(load, load.ok.get() + 300);
        } finally {
            load.close();
        }
        assertTrue("no call failed and no session left SAFE: " + load.failures, load.failures.isEmpty());
        assertEquals(N, acknowledged.size());

        keys.put("partition.count", "8");
        config.update(keys);
        awaitPartitioner(8);
        assertEquals("mismatch (bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1)",
                awaitMetric(address, m -> m.startsWith("mismatch")));
        assertRefused(address, "this cell is partitioned 4 ways (fnv1a64-v1) and the deployed partitioner does not "
                + "match: bound 8 fnv1a64-v1, recorded 4 fnv1a64-v1; deploy the partitioning bundle configured alike "
                + "and retry");
        keys.put("partition.count", "0");
        config.update(keys);
        awaitPartitioner(0);
        awaitMetric(address, MISSING::equals);
        keys.put("partition.count", "4");
        config.update(keys);
        awaitPartitioner(4);
        awaitMetric(address, RECORDED::equals);
        assertReadBack(address, acknowledged, "configured back to 4");

        try (ChubbyClient keeper = ChubbyClient.connect(ClientOptions.builder().cell(address)
                .clientName("partitioning-it-keeper").eagerPartitionSessions(true).build())) {
            List<SessionState> states = new CopyOnWriteArrayList<>();
            keeper.addSessionListener(states::add);
            b.uninstall();
            awaitPartitioner(0);
            awaitMetric(address, MISSING::equals);
            assertRefused(address, "this cell is partitioned 4 ways (fnv1a64-v1) and no partitioner is deployed; "
                    + "deploy the partitioning bundle configured alike and retry");
            // absent for longer than two leases (a KeepAlive held by the master before the uninstall is
            // answered at the end of the first): the sessions need KeepAlives served meanwhile
            Thread.sleep(2 * LEASE_MS + 3_000);

            Bundle again = context.installBundle(context.getProperty("chubby.it.partitioning.bundle"));
            again.start();
            awaitPartitioner(4);
            awaitMetric(address, RECORDED::equals);
            assertReadBack(address, acknowledged, "installed again");
            for (String d : dirs) {
                keeper.write("/ls/local" + d + "/kept", "kept".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("the keeper's sessions outlived the swap", SessionState.SAFE, keeper.sessionState());
            assertTrue("the keeper's sessions stayed SAFE: " + states, states.stream().allMatch(SessionState.SAFE::equals));
        }
        config.delete();
    }

    /** Every load file holds its last acknowledged value, read uncached by a new session. */
    private static void assertReadBack(String address, Map<String, byte[]> acknowledged, String when)
            throws InterruptedException {
        try (ChubbyClient reader = OneReplica.awaitClient(address, "partitioning-it-reader")) {
            acknowledged.forEach((path, value) ->
                    assertArrayEquals(when + ": " + path, value, reader.read(path, CacheMode.UNCACHED)));
            assertEquals(when, SessionState.SAFE, reader.sessionState());
        }
    }

    /** A new client is refused CELL_UNAVAILABLE with {@code reason} (the cell's last answer). */
    private static void assertRefused(String address, String reason) {
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address)
                .clientName("partitioning-it-refused").callTimeout(Duration.ofSeconds(3)).build())) {
            fail("a session was made: " + c.sessionState());
        } catch (ChubbyException e) {
            assertEquals(e.toString(), ErrorCode.CELL_UNAVAILABLE, e.code());
            assertTrue(e.getMessage(), e.getMessage().contains(reason));
        }
    }

    /** The first directory /dirK of the root whose children live on {@code partition} of N. */
    private static String directoryWithChildrenOn(int partition) {
        for (int k = 0; ; k++) {
            if (PartitionHash.slotOf("/dir" + k) % N == partition) {
                return "/dir" + k;
            }
        }
    }

    private static ReplicaStatus status(String address) {
        return ChubbyClient.status(address, Duration.ofSeconds(10), ClientSecurity.NONE);
    }

    private Collection<ServiceReference<Partitioner>> partitioners() throws Exception {
        return context.getServiceReferences(Partitioner.class, null);
    }

    /** Exactly one Partitioner of {@code n} partitions with its service properties (none for 0). */
    private void awaitPartitioner(int n) throws Exception {
        await("a partitioner of " + n + " partition(s)", () -> {
            Collection<ServiceReference<Partitioner>> refs = partitioners();
            if (n == 0) {
                return refs.isEmpty();
            }
            return refs.size() == 1 && Integer.valueOf(n).equals(refs.iterator().next().getProperty(Partitioner.PARTITIONS))
                    && "fnv1a64-v1".equals(refs.iterator().next().getProperty(Partitioner.HASH));
        });
    }

    /** The cell is one partition: no group list, no {@code partitioning} metric. */
    private static void assertOnePartition(String address, String when) {
        ReplicaStatus s = status(address);
        assertTrue(when + ": no group list in a cell of one partition: " + s.groups(), s.groups().isEmpty());
        assertNull(when, s.metrics().get("partitioning"));
    }

    private static String awaitMetric(String address, java.util.function.Predicate<String> wanted) throws Exception {
        String[] last = new String[1];
        await("the partitioning metric", () -> {
            last[0] = status(address).metrics().get("partitioning");
            return last[0] != null && wanted.test(last[0]);
        });
        return last[0];
    }

    private static void awaitOk(ExamLoad load, long atLeast) throws Exception {
        await("the load's successful calls to reach " + atLeast, () -> {
            if (!load.failures.isEmpty()) {
                fail("load failed: " + load.failures);
            }
            return load.ok.get() >= atLeast;
        });
    }

    private static void await(String what, ExamWait.Condition condition) throws Exception {
        ExamWait.await(what, WAIT_MS, condition);
    }
}
