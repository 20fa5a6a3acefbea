package io.chubby.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.it.plugin.CallRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
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
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A request filter hot-swapped into a running replica under client load, through the SPI only: a
 * bundle built by the test from {@link CallRecorder} is installed while four clients write and read;
 * it sees every call with its operation, path and principal, and refuses every SetACL with a typed
 * PERMISSION_DENIED; uninstalling it under the same load drops no session and fails no call; SetACL
 * works again afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RequestFilterIT {
    private static final int CLIENTS = 4;

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("request-filter");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                ExamOptions.productBundles(),
                frameworkProperty("felix.fileinstall.dir").value(root.resolve("etc").toString()),
                frameworkProperty("felix.fileinstall.tmpdir").value(root.resolve("fi-tmp").toString()),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    }

    /** Client {@code id} writes its own file, reads it back and stats it until the load stops. */
    private static void writeReadStat(ExamLoad load, ChubbyClient c, int id) {
        String path = "/ls/local/load/f" + id;
        try (Handle h = c.open(path, OpenOptions.write().withCreate(CreateMode.MAY))) {
            for (long n = 0; !load.stopped(); n++) {
                byte[] v = ("v" + n).getBytes(StandardCharsets.UTF_8);
                h.setContents(v);
                if (!Arrays.equals(v, h.getContentsAndStat().data())) {
                    load.failures.add("client " + id + " read back something else than it wrote");
                }
                c.stat(path);
                load.ok.addAndGet(3);
            }
        }
    }

    @Test(timeout = 180_000)
    public void aFilterSeesEveryCallRefusesOneKindAndLeavesUnderLoadWithoutHarm() throws Exception {
        String address = OneReplica.configure(configAdmin);
        try (ChubbyClient admin = OneReplica.awaitClient(address, "filter-it")) {
            admin.mkdir("/ls/local/load");
            admin.write("/ls/local/acl-target", "x".getBytes(StandardCharsets.UTF_8));
            ExamLoad load = new ExamLoad(address, CLIENTS, "filter-it-load", RequestFilterIT::writeReadStat);
            awaitCalls(load, 300);

            Path jar = PluginJar.write(ExamOptions.tempDir("plugin").resolve("call-recorder.jar"),
                    "io.chubby.it.callrecorder", CallRecorder.class,
                    "io.chubby.api;version=\"[1.0,2)\",io.chubby.spi;version=\"[1.2,2)\",org.osgi.framework");
            Bundle plugin = context.installBundle(jar.toUri().toString());
            plugin.start();
            Supplier<List<String>> seen = recorder();
            long mark = load.ok.get();
            awaitCalls(load, mark + 300);

            List<String> log = seen.get();
            assertTrue("the filter saw the clients' writes with path and principal: " + tail(log), log.stream()
                    .anyMatch(l -> l.matches("SET_CONTENTS /ls/local/load/f\\d anonymous \\d+")));
            assertTrue("reads too: " + tail(log), log.stream()
                    .anyMatch(l -> l.startsWith("GET_CONTENTS /ls/local/load/f") || l.startsWith("GET_STAT ")));
            try (ChubbyClient late = OneReplica.awaitClient(address, "late")) {
                late.read("/ls/local/acl-target");
            }
            List<String> after = seen.get();
            assertTrue("and session calls: " + tail(after), after.stream().anyMatch(l -> l.startsWith("CREATE_SESSION - ")));
            assertTrue("and opens: " + tail(after), after.stream()
                    .anyMatch(l -> l.startsWith("OPEN /ls/local/acl-target anonymous ")));

            try (Handle h = admin.open("/ls/local/acl-target", OpenOptions.write()
                    .withModes(java.util.EnumSet.allOf(io.chubby.api.OpenMode.class)))) {
                try {
                    h.setAcl("r", "w", "c");
                    fail("SetACL passed the filter");
                } catch (ChubbyException e) {
                    assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
                    assertTrue(e.getMessage(), e.getMessage().contains(CallRecorder.REFUSAL));
                }
                plugin.uninstall();
                mark = load.ok.get();
                awaitCalls(load, mark + 300);
                h.setAcl("r", "w", "c"); // the filter is gone: SetACL works again
                assertEquals("r", admin.stat("/ls/local/acl-target").readAcl());
            }
            load.close();
            assertTrue("no call failed and no session left SAFE: " + load.failures, load.failures.isEmpty());
        }
    }

    @SuppressWarnings("unchecked")
    private Supplier<List<String>> recorder() throws Exception {
        Collection<ServiceReference<Supplier>> refs = context.getServiceReferences(Supplier.class,
                "(chubby.it=call-recorder)");
        assertEquals("one recorder service", 1, refs.size());
        Supplier<List<String>> s = context.getService(refs.iterator().next());
        assertNotNull(s);
        return s;
    }

    private static void awaitCalls(ExamLoad load, long atLeast) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (load.ok.get() < atLeast) {
            if (!load.failures.isEmpty() || System.currentTimeMillis() > deadline) {
                fail("load stalled at " + load.ok.get() + " calls; failures: " + load.failures);
            }
            Thread.sleep(20);
        }
    }

    private static String tail(List<String> log) {
        return log.subList(Math.max(0, log.size() - 10), log.size()).toString();
    }
}
