package io.chubby.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Packages one plug-in class of {@code io.chubby.it.plugin} (compiled with the tests) as a bundle,
 * the way an operator's plug-in would be: its activator, imports of the API packages only.
 */
final class PluginJar {
    private PluginJar() {
    }

    /**
     * Writes {@code out} (through a temporary file, so a watcher never sees half a jar): bundle
     * {@code bsn}, activator {@code activator} (its class and its nested classes), importing
     * {@code imports}.
     */
    static Path write(Path out, String bsn, Class<?> activator, String imports) {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", activator.getName());
        a.putValue("Import-Package", imports);
        a.putValue("Require-Capability", "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version>=17))\"");
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream jos = new JarOutputStream(os, mf)) {
            String entry = activator.getName().replace('.', '/') + ".class";
            try (InputStream in = activator.getResourceAsStream("/" + entry)) {
                if (in == null) {
                    throw new IllegalStateException("no class file " + entry);
                }
                jos.putNextEntry(new JarEntry(entry));
                in.transferTo(jos);
                jos.closeEntry();
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plug-in bundle " + out, e);
        }
        return out;
    }
}
