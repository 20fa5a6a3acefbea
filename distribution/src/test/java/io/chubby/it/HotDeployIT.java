package io.chubby.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Hot deploy as the distribution wires it: FileInstall's main watcher on an etc/ dir holding
 * {@code org.apache.felix.fileinstall-deploy.cfg} (what bin/chubby-server writes), which starts a
 * second watcher on a deploy/ dir. A bundle written by the test into deploy/ becomes ACTIVE;
 * replacing the file updates it in place; deleting the file uninstalls it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT {
    private static final String BSN = "io.chubby.it.hot";
    private static final long WAIT_MS = 15_000;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        Path root = ExamOptions.tempDir("hotdeploy");
        Path etc = Files.createDirectories(root.resolve("etc"));
        Path deploy = Files.createDirectories(root.resolve("deploy"));
        Files.writeString(etc.resolve("org.apache.felix.fileinstall-deploy.cfg"),
                "felix.fileinstall.dir=" + deploy + "\n"
                        + "felix.fileinstall.poll=200\n"
                        + "felix.fileinstall.noInitialDelay=true\n"
                        + "felix.fileinstall.bundles.new.start=true\n"
                        + "felix.fileinstall.tmpdir=" + root.resolve("tmp-deploy") + "\n");
        return options(
                ExamOptions.base(),
                ExamOptions.systemBundles(List.of("org.apache.felix.configadmin", "org.apache.felix.fileinstall")),
                frameworkProperty("felix.fileinstall.dir").value(etc.toString()),
                frameworkProperty("felix.fileinstall.poll").value("200"),
                frameworkProperty("felix.fileinstall.log.level").value("3"),
                // as in conf/config.properties: FileInstall must not write configs back into etc/
                // (the write-back re-triggers the watcher and races with the deploy watcher's start)
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.tmpdir").value(root.resolve("tmp-etc").toString()),
                systemProperty("chubby.it.deploy").value(deploy.toString()));
    }

    @Test(timeout = 60_000)
    public void droppedBundleStartsReplacedIsUpdatedDeletedIsUninstalled() throws Exception {
        Path deploy = Path.of(context.getProperty("chubby.it.deploy"));
        assertNull("no test bundle before the drop", find());

        // Written aside and moved in, as an operator's cp/mv would finish: never a partial jar.
        Path jar = deploy.resolve("hot-1.0.0.jar");
        Path tmp = deploy.getParent().resolve("hot.jar.part");
        writeBundle(tmp, "1.0.0");
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);

        Bundle b = await("the dropped bundle to be ACTIVE", () -> {
            Bundle x = find();
            return x != null && x.getState() == Bundle.ACTIVE ? x : null;
        });
        assertEquals("1.0.0", b.getVersion().toString());
        assertTrue(b.getLocation(), b.getLocation().contains("hot-1.0.0.jar"));

        // replacing the file updates the same bundle in place
        writeBundle(tmp, "1.0.1");
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await("the replaced bundle to be updated to 1.0.1 and ACTIVE", () -> {
            Bundle x = find();
            return x != null && x.getState() == Bundle.ACTIVE && "1.0.1".equals(x.getVersion().toString()) ? x : null;
        });
        assertEquals("updated, not reinstalled", b.getBundleId(), find().getBundleId());

        Files.delete(jar);
        // the framework drops it from getBundles() a moment before its state reads UNINSTALLED
        await("the deleted bundle to be uninstalled",
                () -> find() == null && b.getState() == Bundle.UNINSTALLED ? Boolean.TRUE : null);
    }

    private Bundle find() {
        for (Bundle b : context.getBundles()) {
            if (BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** A minimal bundle: manifest plus one resource, built here so nothing outside the test is needed. */
    private static void writeBundle(Path out, String version) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Name", "Chubby IT hot-deployed bundle");
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf)) {
            jos.putNextEntry(new JarEntry("io/chubby/it/hot/hello.txt"));
            jos.write("hot deployed\n".getBytes(StandardCharsets.UTF_8));
            jos.closeEntry();
        }
    }

    private <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(100);
        }
        StringBuilder sb = new StringBuilder();
        for (Bundle b : context.getBundles()) {
            sb.append("\n  ").append(b.getBundleId()).append(' ').append(b.getSymbolicName())
                    .append(" state=").append(b.getState()).append(' ').append(b.getLocation());
        }
        throw new AssertionError("timed out after " + WAIT_MS + " ms waiting for " + what + "; bundles:" + sb);
    }
}
