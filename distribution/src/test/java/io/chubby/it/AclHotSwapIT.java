package io.chubby.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.client.CacheMode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Authorizer;
import io.chubby.spi.Principal;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
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
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The acl bundle (as the distribution ships it: Shiro embedded, no system bundle added) in a
 * one-replica cell in Felix, with {@code cell.acl.enforce=true}, hot-swapped under client load:
 * <ol>
 * <li>installed but unconfigured it is inert: before enforcement every anonymous call works (the
 * ACL files are written then); with enforcement on and no {@code io.chubby.acl} configuration,
 * CreateSession is refused with PERMISSION_DENIED naming enforcement (fail closed);</li>
 * <li>configured ({@code acl.anonymous=true}): decisions come from the ACL files (an exact denial
 * reason for a node whose write ACL file is missing), and four clients write, read (uncached) and
 * stat their files while their sessions send KeepAlives;</li>
 * <li>stopped, updated to a new build (another Bundle-Version), uninstalled and installed again:
 * while it is absent, calls are refused with PERMISSION_DENIED naming enforcement and nothing else
 * fails; each time it is back the clients' calls succeed again; no session ever leaves SAFE.</li>
 * <li>reconfigured with a passwords file, in place: an Authenticator is registered and checks a
 * bcrypt and an argon2id hash (Shiro's hash lookup inside the bundle), while the Authorizer stays
 * (no call refused meanwhile).</li>
 * </ol>
 * The clients are anonymous (a principal the ACL files list): password and certificate logins
 * are the transport's part of access control.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AclHotSwapIT {
    private static final String ACL_BSN = "io.chubby.acl";
    private static final String ACL_JAR = "chubby-acl.jar";
    private static final String ENFORCED = "access control is enforced (cell.acl.enforce)";
    private static final int CLIENTS = 4;
    private static final long WAIT_MS = 60_000;
    /** Shiro 2 hashes (made with `chubby acl passwd`) of "hunter2" (bcrypt) and "x" (argon2id). */
    private static final String CAROL_BCRYPT = "$shiro2$2y$10$99Lq6hpnEogCL6CyIKEIFOh9OHHPZxDDWUyy0Q.VWt5uEcg8307/6";
    private static final String DAVE_ARGON2 =
            "$shiro2$argon2id$v=19$t=1,m=65536,p=4$v9z9svcRb5E8AZ6Eizxtnw$/3dYiOtNtj0hetuuY0u8uyZzHou0I7HooAEbpwrqzFs";

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("acl-hotswap");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                ExamOptions.productBundles(),
                frameworkProperty("chubby.it.acl.bundle").value(
                        ExamOptions.dist().resolve("bundle").resolve(ACL_JAR).toUri().toString()),
                ExamOptions.fileInstall(root));
    }

    /**
     * Clients writing, reading (uncached, so every read is decided) and stat-ing their own file
     * until stopped. A PERMISSION_DENIED naming enforcement is a refusal (expected while the acl
     * bundle is absent); any other failure, and any session state but SAFE, is kept as a failure.
     */
    private static final class Load implements AutoCloseable {
        final List<ChubbyClient> clients = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        Load(String address) {
            for (int i = 0; i < CLIENTS; i++) {
                ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address)
                        .clientName("acl-load-" + i).callTimeout(Duration.ofSeconds(20)).build());
                int id = i;
                c.addSessionListener(s -> {
                    if (s != SessionState.SAFE) {
                        failures.add("client " + id + " session " + s);
                    }
                });
                clients.add(c);
                threads.add(new Thread(() -> work(c, id), "acl-it-load-" + i));
            }
            threads.forEach(Thread::start);
        }

        private void work(ChubbyClient c, int id) {
            String path = "/ls/local/load/f" + id;
            try (Handle h = c.open(path, OpenOptions.write().withCreate(CreateMode.MAY))) {
                for (long n = 0; !stop.get(); n++) {
                    byte[] v = ("v" + n).getBytes(StandardCharsets.UTF_8);
                    try {
                        h.setContents(v);
                        if (!Arrays.equals(v, h.getContentsAndStat(CacheMode.UNCACHED).data())) {
                            failures.add("client " + id + " read back something else than it wrote");
                        }
                        c.stat(path);
                        ok.addAndGet(3);
                    } catch (ChubbyException e) {
                        if (e.code() == ErrorCode.PERMISSION_DENIED && e.getMessage().contains(ENFORCED)) {
                            refused.incrementAndGet();
                            Thread.sleep(5);
                        } else {
                            failures.add("client " + id + ": " + e);
                            return;
                        }
                    }
                }
            } catch (RuntimeException e) {
                failures.add("client " + id + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    @Test(timeout = 300_000)
    public void failsClosedWhileAbsentAndResumesAfterStopUpdateAndReinstallWithoutDroppingASession()
            throws Exception {
        Bundle acl = ExamOptions.find(context, ACL_BSN);
        assertNotNull("the distribution ships the acl bundle", acl);
        assertEquals("it resolves and starts among the distribution's bundles", Bundle.ACTIVE, acl.getState());
        assertEquals("unconfigured it registers nothing", 0, authorizers().size());

        String address = OneReplica.configure(configAdmin);
        try (ChubbyClient admin = OneReplica.awaitClient(address, "acl-it-setup")) {
            // no authorizer, no enforcement: the anonymous client may do everything, so it writes the ACL files
            admin.mkdir("/ls/local/acl");
            admin.write("/ls/local/acl/everyone", "# every connection\nanonymous\n".getBytes(StandardCharsets.UTF_8));
            admin.mkdir("/ls/local/load");
            admin.write("/ls/local/secret", "s".getBytes(StandardCharsets.UTF_8));
            setAcls(admin, "/ls/local/load", "everyone", "everyone", "everyone");
            setAcls(admin, "/ls/local/secret", "everyone", "nobody", "everyone");
            setAcls(admin, "/ls/local/acl", "everyone", "", "");
        }

        Configuration cell = configAdmin.getConfiguration("io.chubby.cell", "?");
        Hashtable<String, Object> enforce = new Hashtable<>();
        enforce.put("cell.acl.enforce", "true");
        cell.update(enforce);
        ChubbyException closed = awaitRefusedSession(address);
        assertTrue(closed.getMessage(), closed.getMessage().contains(ENFORCED));
        assertTrue(closed.getMessage(), closed.getMessage().contains("CREATE_SESSION"));

        Configuration aclConfig = configAdmin.getConfiguration("io.chubby.acl", "?");
        Hashtable<String, Object> keys = new Hashtable<>();
        keys.put("acl.anonymous", "true");
        keys.put("acl.superusers", "admin");
        aclConfig.update(keys);
        await("the acl bundle's Authorizer", () -> authorizers().size() == 1);

        try (ChubbyClient probe = OneReplica.awaitClient(address, "acl-it-probe")) {
            assertEquals("s", new String(probe.read("/ls/local/secret", CacheMode.UNCACHED), StandardCharsets.UTF_8));
            ChubbyException denied = expectDenied(() -> probe.write("/ls/local/secret", new byte[] {1}));
            assertTrue(denied.getMessage(), denied.getMessage().contains(
                    "anonymous may not write /ls/local/secret (write ACL /ls/local/acl/nobody does not exist)"));
            expectDenied(() -> probe.mkdir("/ls/local/elsewhere"));

            Load load = new Load(address);
            try {
                awaitOk(load, 300);

                acl.stop();
                assertEquals(0, authorizers().size());
                awaitRefused(load);
                ChubbyException refused = expectDenied(() -> probe.read("/ls/local/secret", CacheMode.UNCACHED));
                assertTrue(refused.getMessage(), refused.getMessage().contains(ENFORCED));
                acl.start();
                awaitOk(load, load.ok.get() + 300);

                String before = acl.getVersion().toString();
                try (InputStream newBuild = Files.newInputStream(ExamOptions.nextBuild(acl, ACL_JAR))) {
                    acl.update(newBuild);
                }
                await("the updated acl bundle ACTIVE", () -> acl.getState() == Bundle.ACTIVE);
                assertNotEquals("a new build", before, acl.getVersion().toString());
                awaitOk(load, load.ok.get() + 300);

                long refusedBefore = load.refused.get();
                acl.uninstall();
                awaitRefused(load, refusedBefore);
                Bundle again = context.installBundle(context.getProperty("chubby.it.acl.bundle"));
                again.start();
                await("the reinstalled bundle's Authorizer", () -> authorizers().size() == 1);
                awaitOk(load, load.ok.get() + 300);
                assertEquals("decisions resumed", "s", new String(probe.read("/ls/local/secret", CacheMode.UNCACHED),
                        StandardCharsets.UTF_8));
                expectDenied(() -> probe.write("/ls/local/secret", new byte[] {2}));

                // password logins switched on in place: the Authenticator appears, the Authorizer never leaves
                Path passwords = ExamOptions.tempDir("acl-passwords").resolve("passwords");
                Files.writeString(passwords, "carol:" + CAROL_BCRYPT + "\ndave:" + DAVE_ARGON2 + "\n");
                long refusedBeforeReconfig = load.refused.get();
                keys.put("acl.passwords.file", passwords.toString());
                aclConfig.update(keys);
                await("the Authenticator", () -> context.getServiceReferences(Authenticator.class, null).size() == 1);
                Authenticator authenticator = context.getService(
                        context.getServiceReferences(Authenticator.class, null).iterator().next());
                assertEquals(new Principal("carol", Principal.Mechanism.PASSWORD),
                        authenticator.authenticate("carol", "hunter2".toCharArray(), "127.0.0.1:40000"));
                assertEquals("argon2id through Shiro's ServiceLoader lookup inside the bundle", "dave",
                        authenticator.authenticate("dave", "x".toCharArray(), "127.0.0.1:40001").name());
                ChubbyException wrong = expectDenied(
                        () -> authenticator.authenticate("carol", "hunter3".toCharArray(), "127.0.0.1:40002"));
                assertTrue(wrong.getMessage(), wrong.getMessage().contains("unknown user or wrong password"));
                awaitOk(load, load.ok.get() + 300);
                assertEquals("no call refused for want of an authorizer while reconfigured", refusedBeforeReconfig,
                        load.refused.get());
            } finally {
                load.close();
            }
            assertTrue("no call failed but for enforcement refusals, no session left SAFE: " + load.failures,
                    load.failures.isEmpty());
            assertTrue("calls were refused while the bundle was absent", load.refused.get() > 0);
            for (ChubbyClient c : load.clients) {
                assertEquals("every load session survived", SessionState.SAFE, c.sessionState());
            }
            assertEquals(SessionState.SAFE, probe.sessionState());
        }
    }

    private static void setAcls(ChubbyClient c, String path, String read, String write, String change) {
        try (Handle h = c.open(path, OpenOptions.read().withModes(EnumSet.of(OpenMode.READ, OpenMode.CHANGE_ACL)))) {
            h.setAcl(read, write, change);
        }
    }

    private List<ServiceReference<Authorizer>> authorizers() throws Exception {
        return new ArrayList<>(context.getServiceReferences(Authorizer.class, null));
    }

    /** A session refused (PERMISSION_DENIED) by a cell that has restarted with enforcement on. */
    private static ChubbyException awaitRefusedSession(String address) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            try (ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address).clientName("refused")
                    .callTimeout(Duration.ofSeconds(5)).build())) {
                c.stat("/ls/local");
            } catch (ChubbyException e) {
                // a session created just before the configuration arrived has its Open refused
                // instead: only the refusal of the session itself is what is awaited
                if (e.code() == ErrorCode.PERMISSION_DENIED && e.getMessage().contains("CREATE_SESSION")) {
                    return e;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no session was refused within " + WAIT_MS + " ms of cell.acl.enforce=true");
            }
            Thread.sleep(200);
        }
    }

    private static ChubbyException expectDenied(Runnable call) {
        try {
            call.run();
        } catch (ChubbyException e) {
            assertEquals(e.getMessage(), ErrorCode.PERMISSION_DENIED, e.code());
            return e;
        }
        fail("the call was allowed");
        return null;
    }

    private static void awaitOk(Load load, long atLeast) throws Exception {
        await("the load's successful calls to reach " + atLeast + " (failures: " + load.failures + ")", () -> {
            if (!load.failures.isEmpty()) {
                fail("load failed: " + load.failures);
            }
            return load.ok.get() >= atLeast;
        });
    }

    private static void awaitRefused(Load load) throws Exception {
        awaitRefused(load, load.refused.get());
    }

    private static void awaitRefused(Load load, long above) throws Exception {
        await("the load's calls to be refused for want of an authorizer", () -> {
            if (!load.failures.isEmpty()) {
                fail("load failed: " + load.failures);
            }
            return load.refused.get() > above + CLIENTS;
        });
    }

    private static void await(String what, ExamWait.Condition condition) throws Exception {
        ExamWait.await(what, WAIT_MS, condition);
    }
}
