package io.chubby.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * A bundle jar's Bundle-SymbolicName (without its directives) and Bundle-Version, read from its
 * manifest the one way both sides use: {@code chubby bundle watch} in the CLI's JVM and
 * {@code chubby:bundle} in a replica. Plain JDK, so the CLI needs no OSGi on its class path.
 *
 * @param symbolicName a plain name ({@link #NAME}: it names a file of the replica's bundles/)
 * @param version      the Bundle-Version, "0.0.0" when the manifest has none
 */
public record BundleHeader(String symbolicName, String version) {
    /** What a symbolic name may be: letters, digits, '.', '_', '-', at most 100 (no path). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** The header of the jar read from {@code jar}; IllegalStateException when it is not a usable bundle. */
    public static BundleHeader of(InputStream jar) throws IOException {
        Manifest m;
        try (JarInputStream in = new JarInputStream(jar)) {
            m = in.getManifest();
        }
        String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalStateException("not an OSGi bundle: the jar's manifest has no Bundle-SymbolicName");
        }
        String name = bsn.split(";", 2)[0].strip();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("unusable Bundle-SymbolicName: " + name);
        }
        String version = m.getMainAttributes().getValue("Bundle-Version");
        return new BundleHeader(name, version == null ? "0.0.0" : version.strip());
    }

    @Override
    public String toString() {
        return symbolicName + " " + version;
    }
}
