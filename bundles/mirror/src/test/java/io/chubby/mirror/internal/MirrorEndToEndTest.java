package io.chubby.mirror.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ClientOptions;
import io.chubby.mirror.internal.plan.Subtrees;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real cell servers in this JVM ({@link InProcessCell}: the session layer behind the real
 * client acceptor, consensus faked), a source cell {@code global} and a target cell {@code local}
 * whose server has the mirror's {@link ReadOnlyFilter}; the mirror component runs against both
 * with the ordinary client, as in a replica. Trees are compared node by node (kind and checksum).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MirrorEndToEndTest {
    private static final String SRC = "/ls/global/cfg";
    private static final String DST = "/ls/local/shadow/global";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long SHORT_LEASE_MS = 2_000;
    private static final long SHORT_IDLE_MS = 1_500;

    private InProcessCell source;
    private InProcessCell target;
    private MirrorRegistry registry;
    private ChubbyClient writer;
    private ChubbyClient reader;
    private final List<MirrorComponent> mirrors = new ArrayList<>();

    @BeforeEach
    void start() {
        source = InProcessCell.builder().cellName("global").start();
        target = InProcessCell.builder().cellName("local").start();
        registry = new MirrorRegistry();
        target.server().addFilter(new ReadOnlyFilter(registry), 0);
        writer = client(source.address(), "writer");
        reader = client(target.address(), "reader");
    }

    @AfterEach
    void stop() {
        mirrors.forEach(MirrorComponent::close);
        writer.close();
        reader.close();
        source.close();
        target.close();
    }

    private static ChubbyClient client(String address, String name) {
        return ChubbyClient.connect(ClientOptions.builder().cell(address).clientName(name)
                .callTimeout(Duration.ofSeconds(5)).build());
    }

    /**
     * A new client for the test's own calls after a cut: a cut longer than a session lease (a slow
     * CI machine) expires the test client's session too; the mirror's sessions are what is tested.
     */
    private static ChubbyClient reconnected(ChubbyClient old, String address, String name) {
        old.close();
        return client(address, name);
    }

    private MirrorComponent mirror(int removalCap) {
        return mirror("g", source.address(), SRC, DST, removalCap);
    }

    private MirrorComponent mirror(String name, String sourceCell, String from, String to, int removalCap) {
        MirrorComponent m = new MirrorComponent(target.consensus(), registry,
                new MirrorSettings(name, sourceCell, Subtrees.parse(from, to), removalCap, 200));
        mirrors.add(m);
        return m;
    }

    private void fill(int dirs, int files) {
        writer.ensureDirectory(SRC);
        for (int d = 0; d < dirs; d++) {
            writer.ensureDirectory(SRC + "/d" + d);
            for (int f = 0; f < files; f++) {
                writer.write(SRC + "/d" + d + "/f" + f, ("v1 " + d + "/" + f).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** relative path -> "d" or "f:<checksum>:<size>", every node at and below {@code root}. */
    private static Map<String, String> tree(ChubbyClient c, String root) {
        Map<String, String> out = new TreeMap<>();
        try {
            if (c.exists(root)) {
                walk(c, root, "", out);
            }
        } catch (ChubbyException e) {
            if (e.code() != ErrorCode.NO_SUCH_NODE && e.code() != ErrorCode.BAD_HANDLE) {
                throw e; // (a node deleted between the listing and the walk below it: listed again)
            }
            out.put("(changed while listed)", c.toString());
        }
        return out;
    }

    private static void walk(ChubbyClient c, String path, String rel, Map<String, String> out) {
        for (DirEntry e : c.list(path)) {
            String r = rel.isEmpty() ? e.name() : rel + "/" + e.name();
            out.put(r, e.stat().directory() ? "d" : "f:" + e.stat().checksum() + ":" + e.stat().size());
            if (e.stat().directory()) {
                walk(c, path + "/" + e.name(), r, out);
            }
        }
    }

    private void awaitEqual(String what) {
        Await.until(what, WAIT, () -> tree(writer, SRC).equals(tree(reader, DST)));
        assertEquals(tree(writer, SRC), tree(reader, DST), what);
    }

    /** The target replica loses mastership; waits until its mirror has really stopped. */
    private void standby(MirrorComponent m) {
        target.consensus().loseMastership(0);
        Await.until("mirror on standby", WAIT, () -> m.currentStatus().state() == MirrorState.STANDBY);
    }

    /** The target replica becomes master again, in a new epoch. */
    private void masterAgain() {
        target.consensus().becomeMaster(target.consensus().epoch() + 1);
    }

    @Test
    void aThousandFilesThenWritesDeletesAndTreesPropagate() {
        fill(10, 100);
        long t0 = System.nanoTime();
        MirrorComponent m = mirror(100);
        awaitEqual("1,000 files mirrored");
        System.out.printf("mirror: 1,000 files + 10 directories reconciled into an empty target in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertEquals(1010, tree(reader, DST).size());

        // the fast path: one write at a time, acknowledged at the source, then polled at the target
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String rel = "/d" + (i % 10) + "/f" + (i % 100);
            byte[] v = ("v2 " + i).getBytes(StandardCharsets.UTF_8);
            writer.write(SRC + rel, v);
            long acked = System.nanoTime();
            delays.add(microsUntilVisible(DST + rel, v, acked));
        }
        Collections.sort(delays);
        System.out.printf("mirror: propagation delay over %d writes (write acked at source -> read at target, "
                        + "polled every 0.5 ms): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", delays.size(),
                delays.get(delays.size() / 2) / 1000.0, delays.get(delays.size() * 99 / 100) / 1000.0,
                delays.get(delays.size() - 1) / 1000.0);

        writer.delete(SRC + "/d3/f7");
        writer.ensureDirectory(SRC + "/new");
        writer.ensureDirectory(SRC + "/new/deep");
        writer.write(SRC + "/new/deep/leaf", "leaf".getBytes(StandardCharsets.UTF_8));
        for (int f = 0; f < 100; f++) {
            writer.delete(SRC + "/d9/f" + f);
        }
        writer.delete(SRC + "/d9");
        awaitEqual("deletes and a new tree propagated");
        assertTrue(tree(reader, DST).containsKey("new/deep/leaf"));
        assertEquals(MirrorState.STREAMING, m.currentStatus().state());
    }

    /**
     * A burst of changes written hundreds at a time at the source, so that the mirror takes them from
     * its queue in batches, plans each batch from one listing per directory and writes it with many
     * copies in flight: the same file rewritten many times ends with its last value, a file replaced
     * by a directory and a new directory with its files arrive, and the target equals the source.
     */
    @Test
    void aBurstOfChangesWrittenInBatchesConverges() {
        fill(3, 50);
        MirrorComponent m = mirror(100);
        awaitEqual("mirrored");
        List<java.util.concurrent.CompletableFuture<?>> burst = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int d = 0; d < 3; d++) {
                for (int f = 0; f < 50; f++) {
                    burst.add(writer.writeAsync(SRC + "/d" + d + "/f" + f,
                            ("burst " + round + " " + d + "/" + f).getBytes(StandardCharsets.UTF_8)));
                }
            }
            burst.forEach(java.util.concurrent.CompletableFuture::join);
            burst.clear();
        }
        for (int i = 0; i < 20; i++) {
            writer.write(SRC + "/d0/hot", ("hot " + i).getBytes(StandardCharsets.UTF_8));
        }
        writer.delete(SRC + "/d1/f3");
        writer.ensureDirectory(SRC + "/d1/f3");
        writer.write(SRC + "/d1/f3/inside", "inside".getBytes(StandardCharsets.UTF_8));
        writer.ensureDirectory(SRC + "/fresh");
        for (int f = 0; f < 40; f++) {
            burst.add(writer.writeAsync(SRC + "/fresh/g" + f, ("g" + f).getBytes(StandardCharsets.UTF_8)));
        }
        burst.forEach(java.util.concurrent.CompletableFuture::join);
        awaitEqual("the burst mirrored");
        assertEquals("hot 19", new String(reader.read(DST + "/d0/hot"), StandardCharsets.UTF_8));
        assertEquals("burst 3 2/49", new String(reader.read(DST + "/d2/f49"), StandardCharsets.UTF_8));
        assertEquals("d", tree(reader, DST).get("d1/f3"));
        assertEquals(MirrorState.STREAMING, m.currentStatus().state());
    }

    /** Polls the target every 0.5 ms (reads hit the reader's cache until the mirror's write invalidates it). */
    private long microsUntilVisible(String path, byte[] value, long sinceNanos) {
        long deadline = sinceNanos + WAIT.toNanos();
        while (!java.util.Arrays.equals(value, reader.read(path))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " not visible at the target after " + WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
        }
        return (System.nanoTime() - sinceNanos) / 1_000;
    }

    @Test
    void theTargetIsReadOnlyToEveryoneButTheMirror() {
        fill(1, 3);
        mirror(100);
        awaitEqual("mirrored");
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> reader.write(DST + "/d0/f0", "mine".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        assertTrue(e.getMessage().contains("mirrored by 'g'"), e.getMessage());
        assertEquals(ErrorCode.PERMISSION_DENIED,
                assertThrows(ChubbyException.class, () -> reader.delete(DST + "/d0/f1")).code());
        assertEquals(ErrorCode.PERMISSION_DENIED,
                assertThrows(ChubbyException.class, () -> reader.mkdir(DST + "/x")).code());
        reader.read(DST + "/d0/f0");
        reader.ensureDirectory("/ls/local/elsewhere");
        reader.write("/ls/local/elsewhere/f", "ok".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void changesWhileTheMirrorIsDownOrCutOffAreReconciled() {
        fill(4, 25);
        MirrorComponent m = mirror(100);
        awaitEqual("mirrored");
        standby(m);
        writer.write(SRC + "/d0/f0", "changed while down".getBytes(StandardCharsets.UTF_8));
        writer.delete(SRC + "/d1/f1");
        writer.write(SRC + "/d2/added", "added while down".getBytes(StandardCharsets.UTF_8));
        masterAgain();
        awaitEqual("reconciled after the mirror came back on a new master");

        target.isolate();
        writer.write(SRC + "/d0/f1", "changed while cut off".getBytes(StandardCharsets.UTF_8));
        writer.delete(SRC + "/d3/f3");
        writer.ensureDirectory(SRC + "/d3/sub");
        Await.until("changes held back by the cut", WAIT, () -> m.currentStatus().lagEntries() > 0
                || m.currentStatus().state() == MirrorState.CUT_OFF);
        Map<String, String> during = tree(writer, SRC);
        target.heal();
        reader = reconnected(reader, target.address(), "reader"); // its session may have expired in the cut
        awaitEqual("caught up after the cut");
        assertEquals(during, tree(reader, DST));

        source.isolate();
        Await.until("source cut off", WAIT, () -> m.currentStatus().state() == MirrorState.CUT_OFF);
        source.heal();
        writer = reconnected(writer, source.address(), "writer"); // its session may have expired in the cut
        Await.until("streaming again", WAIT, () -> m.currentStatus().state() == MirrorState.STREAMING);
        writer.write(SRC + "/d0/f2", "after the source came back".getBytes(StandardCharsets.UTF_8));
        awaitEqual("streaming after the source came back");
    }

    /**
     * A cut longer than the source's session lease: the source ends the mirror's session (its
     * watches with it), and the mirror's client learns so once it is back. The mirror must start
     * again with a new session and a reconciliation, not sit on the dead watches (seen in
     * MirrorIT: cut_off for good after a 30 s cut).
     */
    @Test
    void aSourceSessionThatExpiredInACutIsReplaced() throws InterruptedException {
        writer.close();
        source.close();
        source = InProcessCell.builder().settings(new CellSettings("global", 262_144, SHORT_LEASE_MS, SHORT_LEASE_MS,
                500, 100)).start();
        writer = client(source.address(), "writer");
        fill(2, 5);
        MirrorComponent m = mirror(100);
        awaitEqual("mirrored");
        source.isolate();
        Await.until("source cut off", WAIT, () -> m.currentStatus().state() == MirrorState.CUT_OFF);
        Thread.sleep(2 * SHORT_LEASE_MS); // the source ends the mirror's session meanwhile
        source.heal();
        writer = reconnected(writer, source.address(), "writer");
        writer.write(SRC + "/d0/f0", "after the mirror's source session expired".getBytes(StandardCharsets.UTF_8));
        writer.delete(SRC + "/d1/f1");
        awaitEqual("a new source session, reconciled");
        Await.until("streaming again", WAIT, () -> m.currentStatus().state() == MirrorState.STREAMING);
    }

    /**
     * The target cell ends a session with no handle and no call for its idle time; the mirror's
     * session has no handle between writes, so a quiet mirror touches it: a change after a quiet
     * spell streams in the same round (before, the session was ended, the next write failed and a
     * full reconciliation followed; seen in MirrorIT after 60 s without changes).
     */
    @Test
    void aQuietMirrorKeepsItsTargetSession() throws InterruptedException {
        reader.close();
        target.close();
        target = InProcessCell.builder().settings(new CellSettings("local", 262_144, 12_000, 60_000, 1_000, 100,
                SHORT_IDLE_MS, 1_000)).start();
        target.server().addFilter(new ReadOnlyFilter(registry), 0);
        fill(1, 3);
        MirrorComponent m = new MirrorComponent(target.consensus(), registry,
                new MirrorSettings("g", source.address(), Subtrees.parse(SRC, DST), 100, 200, SHORT_IDLE_MS / 3));
        mirrors.add(m);
        reader = client(target.address(), "reader");
        awaitEqual("mirrored");
        long reconciled = m.currentStatus().lastReconciliationMillis();
        Thread.sleep(4 * SHORT_IDLE_MS);
        reader = reconnected(reader, target.address(), "reader"); // the test's own session was idle
        writer.write(SRC + "/d0/f0", "after a quiet spell".getBytes(StandardCharsets.UTF_8));
        awaitEqual("streamed after a quiet spell");
        assertEquals(reconciled, m.currentStatus().lastReconciliationMillis(),
                () -> "no new round, the mirror's target session was kept: " + m.currentStatus().line());
    }

    @Test
    void manyRemovalsWaitForAConfirmedSourceRoot() {
        fill(1, 30);
        MirrorComponent m = mirror(10);
        awaitEqual("mirrored");
        standby(m);
        for (int f = 0; f < 20; f++) {
            writer.delete(SRC + "/d0/f" + f);
        }
        masterAgain();
        // same source root as the last pass converged with: confirmed, the 20 removals go
        awaitEqual("20 removals of a confirmed root");

        // the source root replaced by a new, smaller one: over the cap, withheld until confirmed
        standby(m);
        for (int f = 20; f < 30; f++) {
            writer.delete(SRC + "/d0/f" + f);
        }
        writer.delete(SRC + "/d0");
        writer.delete(SRC);
        writer.ensureDirectory(SRC);
        writer.write(SRC + "/only", "1".getBytes(StandardCharsets.UTF_8));
        masterAgain();
        Await.until("removals withheld", WAIT, () -> m.currentStatus().detail().contains("removals withheld"));
        assertTrue(tree(reader, DST).containsKey("only"));
        assertTrue(tree(reader, DST).containsKey("d0/f25"), "nothing removed without confirmation");
        assertTrue(registry.confirm("g"));
        awaitEqual("removed once confirmed");
    }

    @Test
    void aLoopIsRefusedAndNeverRuns() {
        MirrorComponent loop = mirror("loop", target.address(), "/ls/local/shadow", "/ls/local/shadow/inner", 100);
        assertEquals(MirrorState.REFUSED, registry.statuses().get(0).state());
        assertTrue(registry.statuses().get(0).detail().startsWith("loop"), registry.statuses().get(0).line());
        assertEquals(MirrorState.STANDBY, loop.currentStatus().state());
        assertTrue(!reader.exists("/ls/local/shadow"));
        // the refused mirror protects nothing
        reader.ensureDirectory("/ls/local/shadow");
        reader.write("/ls/local/shadow/inner", "free".getBytes(StandardCharsets.UTF_8));
        assertEquals("loop", new MirrorCommands(registry).status().split(" ")[0]);
    }

    @Test
    void statusCommandShowsEachMirror() {
        fill(1, 2);
        MirrorComponent m = mirror(100);
        awaitEqual("mirrored");
        // the trees are equal once the pass's last write is done, a moment before the pass ends
        Await.until("the pass ended", WAIT, () -> m.currentStatus().lastReconciliationMillis() > 0);
        String out = new MirrorCommands(registry).status();
        assertTrue(out.startsWith("g source=" + source.address() + SRC + " target=" + DST + " state=streaming lag=0/"), out);
        assertTrue(out.contains("last_reconciliation="), out);
        assertThrows(IllegalArgumentException.class, () -> new MirrorCommands(registry).confirm("nope"));
    }
}
