package io.chubby.cli.internal.dist;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@link BundleResolution} in a class loader of its own over the distribution's
 * {@code bin/felix.jar} (the framework and resolver the replicas run) and the CLI's jar, so the
 * command's class path stays without OSGi; without {@code bin/felix.jar} (tests, an IDE) it runs
 * from the caller's class path, which must then hold the Felix framework.
 */
public final class ResolverLoader {
    private static final String CHECKER = "io.chubby.cli.internal.dist.BundleResolution";

    private ResolverLoader() {
    }

    /** {@link BundleResolution#check} for {@code jars}, with Felix from {@code felixJar} when it exists. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, String>> check(Path felixJar, String systemPackagesExtra, List<Path> jars) {
        Path storage = null;
        try (URLClassLoader own = loader(felixJar)) {
            storage = Files.createTempDirectory("chubby-resolve-");
            ClassLoader loader = own != null ? own : ResolverLoader.class.getClassLoader();
            Class<?> checker = Class.forName(CHECKER, true, loader);
            return (List<Map<String, String>>) checker.getMethod("check", Path.class, String.class, List.class)
                    .invoke(null, storage, systemPackagesExtra, jars);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("the OSGi resolver could not check the bundles: " + c, c);
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            throw new IllegalStateException("cannot load the OSGi framework to check the bundles ("
                    + felixJar + "): " + e, e);
        } finally {
            delete(storage);
        }
    }

    private static URLClassLoader loader(Path felixJar) throws IOException {
        if (felixJar == null || !Files.isRegularFile(felixJar)) {
            return null;
        }
        URL self;
        try {
            self = ResolverLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI().toURL();
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the CLI's own jar", e);
        }
        return new URLClassLoader("chubby-resolver", new URL[] {felixJar.toUri().toURL(), self},
                ClassLoader.getPlatformClassLoader());
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the temp dir; nothing depends on it being gone
        }
    }
}
