package io.chubby.cli.internal.command;

import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Calls bdb-store's {@code io.chubby.store.backup.BackupTool} (verify, restore), which needs Berkeley
 * DB JE. The store bundle is not on the CLI's class path (no other command pays for JE): it is
 * loaded, only here, from the distribution's {@code bundle/chubby-bdb-store.jar} (or from the
 * caller's class path when it is there, as in tests). Its errors are {@code ChubbyException}s of the
 * shared {@code io.chubby.api}, rethrown as they are.
 */
final class StoreTools {
    static final String TOOL = "io.chubby.store.backup.BackupTool";
    static final String JAR = "chubby-bdb-store.jar";

    private StoreTools() {
    }

    @SuppressWarnings("unchecked")
    static List<String> call(String method, Path home, ClassLoader parent, String... args) {
        try {
            Class<?> tool = Class.forName(TOOL, true, loader(home, parent));
            Class<?>[] types = new Class<?>[args.length];
            java.util.Arrays.fill(types, String.class);
            return (List<String>) tool.getMethod(method, types).invoke(null, (Object[]) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("backup " + method + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the store jar found does not have the expected API: " + e, e);
        }
    }

    private static ClassLoader loader(Path home, ClassLoader parent) {
        try {
            Class.forName(TOOL, false, parent);
            return parent;
        } catch (ClassNotFoundException notOnClassPath) {
            // the usual case: from bundle/ below
        }
        if (home == null) {
            throw new IllegalStateException("CHUBBY_HOME is not set: run 'backup verify/restore' through the "
                    + "distribution's bin/chubby (the store is loaded from its bundle/" + JAR + ")");
        }
        Path jar = home.resolve("bundle").resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": the distribution's store bundle is needed to read backups");
        }
        try {
            return new URLClassLoader("chubby-store", new URL[] {jar.toUri().toURL()}, parent);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
