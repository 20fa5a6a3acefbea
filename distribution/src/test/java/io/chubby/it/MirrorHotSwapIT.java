package io.chubby.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.SessionState;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The mirror bundle (as the distribution ships it) hot-swapped on a running cell (issue 20): the
 * target is the one-replica cell of this Felix framework, the source a one-replica cell of a real
 * replica process on loopback ({@link LocalCell#start}; a second cell cannot live in this
 * framework, since PID {@code io.chubby.replica} is a singleton). Under a load of four clients of
 * the target (their sessions sending KeepAlives, each writing its own file outside the mirrored
 * subtree and reading a mirrored file uncached):
 * <ol>
 * <li>installed but unconfigured the bundle is inert: no mirror thread, the target subtree writable;</li>
 * <li>a factory configuration of {@code io.chubby.mirror} starts a mirror: the target converges to
 * the source (a stray local node removed), later writes arrive, the subtree refuses ordinary
 * writes with PERMISSION_DENIED naming the mirror;</li>
 * <li>bundle stop: the mirror stops (a source change does not arrive) and the subtree is writable
 * again (the README: the filter is registered only while the bundle is active); start: it resumes
 * and reconciles what changed meanwhile on both sides;</li>
 * <li>update to a new build (another Bundle-Version): it resumes and converges;</li>
 * <li>uninstall: it stops; installed again with the configuration still there: it resumes and converges;</li>
 * <li>throughout: no load session leaves SAFE, no load call fails (a read of the mirrored file
 * before its first copy is NO_SUCH_NODE, counted apart).</li>
 * </ol>
 * Convergence times are printed ({@code MirrorHotSwapIT ...} lines).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MirrorHotSwapIT {
    private static final String MIRROR_BSN = "io.chubby.mirror";
    private static final String MIRROR_JAR = "chubby-mirror.jar";
    private static final String SRC = "/ls/local/global";
    private static final String DST = "/ls/local/shadow";
    /** The mirrored file every load client reads. */
    private static final String STABLE = "stable";
    private static final String DENIED = "is mirrored by 'g' and read-only in this cell";
    private static final int CLIENTS = 4;
    private static final long WAIT_MS = 60_000;
    /** How long a change must not arrive at the target while the mirror is away (streaming takes milliseconds). */
    private static final long QUIET_MS = 1_500;

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(ExamOptions.base(), ExamOptions.launcherSystemBundles(), ExamOptions.productBundles());
    }

    /**
     * Target clients each writing its own file outside the mirrored subtree and reading the mirrored
     * file uncached, until stopped. NO_SUCH_NODE of that file before it was first mirrored is counted
     * apart; any other failure, and any session state but SAFE, is kept as a failure.
     */
    private static final class Load implements AutoCloseable {
        final List<ChubbyClient> clients = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean mirrored = new AtomicBoolean();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong notYetMirrored = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        Load(String address) {
            for (int i = 0; i < CLIENTS; i++) {
                ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address)
                        .clientName("mirror-swap-load-" + i).callTimeout(Duration.ofSeconds(20)).build());
                int id = i;
                c.addSessionListener(s -> {
                    if (s != SessionState.SAFE) {
                        failures.add("client " + id + " session " + s);
                    }
                });
                clients.add(c);
                threads.add(new Thread(() -> work(c, id), "mirror-swap-load-" + i));
            }
            threads.forEach(Thread::start);
        }

        private void work(ChubbyClient c, int id) {
            String own = "/ls/local/load/f" + id;
            try {
                for (long n = 0; !stop.get(); n++) {
                    c.write(own, ("v" + n).getBytes(StandardCharsets.UTF_8));
                    ok.incrementAndGet();
                    readMirrored(c, id);
                    Thread.sleep(2);
                }
            } catch (RuntimeException e) {
                failures.add("client " + id + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void readMirrored(ChubbyClient c, int id) {
            boolean copiedBefore = mirrored.get();
            try {
                String v = new String(c.read(DST + "/" + STABLE, CacheMode.UNCACHED), StandardCharsets.UTF_8);
                if (!v.equals("stable")) {
                    failures.add("client " + id + " read " + v + " from the mirrored file");
                }
                ok.incrementAndGet();
            } catch (ChubbyException e) {
                if (e.code() == ErrorCode.NO_SUCH_NODE && !copiedBefore) {
                    notYetMirrored.incrementAndGet();
                } else {
                    throw e;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            clients.forEach(ChubbyClient::close);
        }
    }

    @Test(timeout = 240_000)
    public void mirrorsStartStopResumeAcrossStopUpdateAndReinstallWithoutDroppingASession() throws Exception {
        long started = System.nanoTime();
        Bundle mirror = ExamOptions.find(context, MIRROR_BSN);
        assertNotNull("the distribution ships the mirror bundle", mirror);
        assertEquals(Bundle.ACTIVE, mirror.getState());

        LocalCell sourceCell = new LocalCell(1);
        sourceCell.start(1, List.of());
        String address = OneReplica.configure(configAdmin);
        try (ChubbyClient source = OneReplica.awaitClient(sourceCell.clientAddress(1), "swap-it-source");
             ChubbyClient admin = OneReplica.awaitClient(address, "swap-it-admin")) {
            awaitTrue("the source accepts writes", () -> source.ensureDirectory(SRC) || source.exists(SRC));
            source.write(SRC + "/" + STABLE, bytes("stable"));
            for (int i = 0; i < 20; i++) {
                source.write(SRC + "/f" + i, bytes("v1 " + i));
            }
            awaitTrue("the target accepts writes", () -> admin.ensureDirectory("/ls/local/load") || true);
            phase(started, "both cells serve, the source has 21 files");

            Load load = new Load(address);
            try {
                awaitOk(load, 200);

                // 1. installed, unconfigured: inert
                assertFalse("no mirror thread without a configuration", mirrorThreadRuns());
                admin.ensureDirectory(DST);
                admin.write(DST + "/local", bytes("written before any mirror"));
                assertEquals("written before any mirror", text(admin.read(DST + "/local", CacheMode.UNCACHED)));
                phase(started, "1. unconfigured: no mirror, " + DST + " writable");

                // 2. a factory configuration starts a mirror
                Configuration cfg = configAdmin.createFactoryConfiguration("io.chubby.mirror", "?");
                Hashtable<String, Object> keys = new Hashtable<>();
                keys.put("mirror.name", "g");
                keys.put("mirror.source.cell", sourceCell.clientAddress(1));
                keys.put("mirror.source.path", SRC);
                keys.put("mirror.target.path", DST);
                keys.put("mirror.retry.ms", "500");
                long t = System.nanoTime();
                cfg.update(keys);
                long firstCopy = awaitEqual(source, admin, "the first copy (the stray local node removed)", t);
                load.mirrored.set(true);
                awaitDenied(admin);
                source.write(SRC + "/f0", bytes("v2 0"));
                long t2 = System.nanoTime();
                long streamed = awaitEqual(source, admin, "a write streamed", t2);
                awaitOk(load, load.ok.get() + 200);
                phase(started, "2. configured: first copy equal " + firstCopy + " ms after the configuration, a write"
                        + " equal after " + streamed + " ms; ordinary writes refused");

                // 3. stop: the mirror stops, the subtree is writable; start: it resumes and reconciles
                mirror.stop();
                assertFalse("the mirror thread ended with the bundle", mirrorThreadRuns());
                source.write(SRC + "/f1", bytes("v2 1, written while stopped"));
                source.delete(SRC + "/f2");
                assertNotArrived(source, admin, "f1");
                admin.write(DST + "/stray", bytes("written while the bundle was stopped"));
                admin.write(DST + "/f3", bytes("overwritten while the bundle was stopped"));
                awaitOk(load, load.ok.get() + 200);
                t = System.nanoTime();
                mirror.start();
                long resumed = awaitEqual(source, admin, "resumed after start", t);
                awaitDenied(admin);
                phase(started, "3. stopped: nothing arrived in " + QUIET_MS + " ms, subtree writable; started: equal "
                        + resumed + " ms later (1 change, 1 delete at the source, 1 stray node, 1 overwrite at the target)");

                // 4. update to a new build
                String before = mirror.getVersion().toString();
                Path next = ExamOptions.nextBuild(mirror, MIRROR_JAR);
                source.write(SRC + "/f4", bytes("v2 4, written just before the update"));
                t = System.nanoTime();
                try (InputStream in = Files.newInputStream(next)) {
                    mirror.update(in);
                }
                await("the updated mirror bundle ACTIVE", () -> mirror.getState() == Bundle.ACTIVE);
                assertNotEquals("a new build", before, mirror.getVersion().toString());
                long updated = awaitEqual(source, admin, "resumed after the update", t);
                source.write(SRC + "/f5", bytes("v2 5, written after the update"));
                long t4 = System.nanoTime();
                long streamedAfterUpdate = awaitEqual(source, admin, "streaming after the update", t4);
                awaitDenied(admin);
                awaitOk(load, load.ok.get() + 200);
                phase(started, "4. updated " + before + " -> " + mirror.getVersion() + ": equal " + updated
                        + " ms after the update (its first pass), a write made after it streamed in " + streamedAfterUpdate
                        + " ms");

                // 5. uninstall: stops; install again with the configuration still there: resumes
                mirror.uninstall();
                assertFalse("the mirror thread ended with the bundle", mirrorThreadRuns());
                source.write(SRC + "/f6", bytes("v2 6, written while uninstalled"));
                source.write(SRC + "/new", bytes("created while uninstalled"));
                assertNotArrived(source, admin, "new");
                admin.write(DST + "/stray2", bytes("written while the bundle was absent"));
                awaitOk(load, load.ok.get() + 200);
                assertNotNull("the configuration outlives the bundle", configAdmin.listConfigurations(
                        "(service.factoryPid=io.chubby.mirror)"));
                t = System.nanoTime();
                Bundle again = context.installBundle(ExamOptions.dist().resolve("bundle").resolve(MIRROR_JAR)
                        .toUri().toString());
                again.start();
                long reinstalled = awaitEqual(source, admin, "resumed after the reinstall", t);
                awaitDenied(admin);
                awaitOk(load, load.ok.get() + 200);
                phase(started, "5. uninstalled: nothing arrived in " + QUIET_MS + " ms, subtree writable; installed"
                        + " again: equal " + reinstalled + " ms later");
            } finally {
                load.close();
            }
            assertTrue("no load call failed, no session left SAFE: " + load.failures, load.failures.isEmpty());
            for (ChubbyClient c : load.clients) {
                assertEquals("every load session survived", SessionState.SAFE, c.sessionState());
            }
            assertEquals(SessionState.SAFE, admin.sessionState());
            phase(started, "6. load: " + load.ok.get() + " calls, " + load.notYetMirrored.get()
                    + " reads before the first copy (NO_SUCH_NODE), no failure, every session SAFE");
        } finally {
            sourceCell.destroy();
        }
    }

    private static void phase(long startedNanos, String what) {
        System.out.printf("MirrorHotSwapIT %5.1f s: %s%n", (System.nanoTime() - startedNanos) / 1e9, what);
    }

    private static boolean mirrorThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(th -> th.getName().equals("mirror-g"));
    }

    /** Polls until the target subtree equals the source's (kinds, checksums, sizes, then contents); ms since {@code fromNanos}. */
    private static long awaitEqual(ChubbyClient source, ChubbyClient target, String what, long fromNanos)
            throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        Map<String, String> src = null;
        Map<String, String> dst = null;
        while (System.currentTimeMillis() < deadline) {
            src = tree(source, SRC, false);
            dst = tree(target, DST, false);
            if (src != null && src.equals(dst)) {
                long ms = (System.nanoTime() - fromNanos) / 1_000_000;
                assertEquals(what + ": contents", tree(source, SRC, true), tree(target, DST, true));
                return ms;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what + ": source " + src + ", target " + dst);
    }

    /** A change at the source that does not reach the target in {@link #QUIET_MS}: the mirror is not running. */
    private static void assertNotArrived(ChubbyClient source, ChubbyClient target, String name) throws Exception {
        String want = text(source.read(SRC + "/" + name));
        Thread.sleep(QUIET_MS);
        String there = target.exists(DST + "/" + name) ? text(target.read(DST + "/" + name, CacheMode.UNCACHED)) : null;
        assertNotEquals("the change of " + name + " did not arrive while the mirror was away", want, there);
    }

    /** relative path -> "d" or "f:checksum:size" (and the contents if asked); null if a listing failed. */
    private static Map<String, String> tree(ChubbyClient c, String root, boolean withContents) {
        Map<String, String> out = new TreeMap<>();
        try {
            if (c.exists(root)) {
                for (DirEntry e : c.list(root)) {
                    String v = e.stat().directory() ? "d" : "f:" + e.stat().checksum() + ":" + e.stat().size();
                    if (withContents && !e.stat().directory()) {
                        v += ":" + text(c.read(root + "/" + e.name(), CacheMode.UNCACHED));
                    }
                    out.put(e.name(), v);
                }
            }
            return out;
        } catch (ChubbyException e) {
            if (withContents) {
                throw e;
            }
            return null;
        }
    }

    /** Waits until an ordinary write into the target subtree is refused, naming the mirror. */
    private static void awaitDenied(ChubbyClient admin) throws Exception {
        await("the mirrored subtree to refuse ordinary writes", () -> {
            try {
                admin.write(DST + "/mine", bytes("mine"));
                admin.delete(DST + "/mine");
                return false;
            } catch (ChubbyException e) {
                assertEquals(e.getMessage(), ErrorCode.PERMISSION_DENIED, e.code());
                assertTrue(e.getMessage(), e.getMessage().contains(DST + "/mine " + DENIED));
                return true;
            }
        });
    }

    private static void awaitOk(Load load, long atLeast) throws Exception {
        await("the load's successful calls to reach " + atLeast + " (failures: " + load.failures + ")", () -> {
            if (!load.failures.isEmpty()) {
                fail("load failed: " + load.failures);
            }
            return load.ok.get() >= atLeast;
        });
    }

    private static void awaitTrue(String what, ExamWait.Condition call) throws Exception {
        await(what, () -> {
            try {
                return call.test();
            } catch (ChubbyException e) {
                return false;
            }
        });
    }

    private static void await(String what, ExamWait.Condition condition) throws Exception {
        ExamWait.await(what, WAIT_MS, condition);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
