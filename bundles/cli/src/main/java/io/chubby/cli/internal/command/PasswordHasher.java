package io.chubby.cli.internal.command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Hashes a password the way the acl bundle checks it: Apache Shiro's {@code DefaultPasswordService}
 * (Shiro 2 crypt format, {@code $shiro2$<algorithm>$...}). Shiro is not on the CLI's class path,
 * so no other command pays for it: it is loaded, only here, from the distribution's
 * {@code lib/shiro/} (or from the caller's class path when Shiro is there, as in tests), through
 * reflection, with the thread context class loader set to it (Shiro finds its hash algorithms with
 * {@link java.util.ServiceLoader}).
 */
final class PasswordHasher {
    /** The algorithms offered, by CLI name -> Shiro's name. */
    static final Map<String, String> ALGORITHMS = Map.of("bcrypt", "2y", "argon2id", "argon2id");
    private static final String SERVICE = "org.apache.shiro.authc.credential.DefaultPasswordService";

    private PasswordHasher() {
    }

    /**
     * The hash of {@code password} with {@code algorithm} (a key of {@link #ALGORITHMS}).
     *
     * @param home   the distribution root, whose {@code lib/shiro/} holds Shiro, or null
     * @param parent the class loader to try first (and the parent of the one over lib/shiro)
     */
    static String hash(char[] password, String algorithm, Path home, ClassLoader parent) {
        String shiroName = ALGORITHMS.get(algorithm);
        if (shiroName == null) {
            throw new IllegalArgumentException("unknown algorithm " + algorithm + ": one of " + ALGORITHMS.keySet());
        }
        ClassLoader loader = shiroLoader(home, parent);
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            Class<?> hashServiceType = Class.forName("org.apache.shiro.crypto.hash.DefaultHashService", true, loader);
            Object hashService = hashServiceType.getConstructor().newInstance();
            hashServiceType.getMethod("setDefaultAlgorithmName", String.class).invoke(hashService, shiroName);
            Class<?> serviceType = Class.forName(SERVICE, true, loader);
            Object service = serviceType.getConstructor().newInstance();
            serviceType.getMethod("setHashService", Class.forName("org.apache.shiro.crypto.hash.HashService", true,
                    loader)).invoke(service, hashService);
            return (String) serviceType.getMethod("encryptPassword", Object.class).invoke(service, (Object) password);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Shiro could not hash the password: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Shiro jars found do not have the expected API: " + e, e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private static ClassLoader shiroLoader(Path home, ClassLoader parent) {
        try {
            Class.forName(SERVICE, false, parent);
            return parent;
        } catch (ClassNotFoundException notOnClassPath) {
            // the usual case: from lib/shiro below
        }
        if (home == null) {
            throw new IllegalStateException("CHUBBY_HOME is not set: run 'acl passwd' through the distribution's "
                    + "bin/chubby (Shiro is loaded from its lib/shiro)");
        }
        Path dir = home.resolve("lib").resolve("shiro");
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                jars.add(p.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("no Shiro jars in " + dir + " (" + e.getMessage() + ")", e);
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no Shiro jars in " + dir);
        }
        return new URLClassLoader("shiro", jars.toArray(new URL[0]), parent);
    }
}
