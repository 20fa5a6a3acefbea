package io.chubby.cli.internal.gogo;

import io.chubby.cli.internal.BundleHeader;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The bundles an operator added to one replica with {@code chubby bundle}: each is kept as
 * {@code INSTANCE/bundles/<symbolic name>.jar} (so it is installed again at every start, see
 * {@link #restore()}) and installed, updated and uninstalled through the OSGi framework, with a
 * refresh after an update or uninstall so the old class loader is let go. A jar arrives in pieces
 * ({@link #chunk}) under {@code bundles/.incoming/} and is checked against its SHA-256 before it
 * is used. Bundles of the distribution ({@code system/}, {@code bundle/}) and of {@code deploy/}
 * are listed but never changed here: they would come back (or go) at the next start regardless.
 * Called by the admin executor's threads; the framework serializes the lifecycle operations, and
 * the operations (and {@link #restore()}) hold this object's lock, so they never interleave.
 */
public final class ReplicaBundles {
    /** The directory under the instance directory. */
    public static final String DIR = "bundles";
    private static final Pattern UPLOAD_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final long REFRESH_TIMEOUT_S = 60;
    private static final long STALE_UPLOAD_MS = 3_600_000;

    private final BundleContext context;
    private final Path dir;
    private final Path incoming;

    public ReplicaBundles(BundleContext context, Path instanceDir) {
        this.context = context;
        this.dir = instanceDir.resolve(DIR);
        this.incoming = dir.resolve(".incoming");
    }

    Path dir() {
        return dir;
    }

    /** One line per bundle: id, symbolic name, version, state, origin (system, distribution, deploy, replica). */
    public String list() {
        StringBuilder sb = new StringBuilder();
        for (Bundle b : context.getBundles()) {
            sb.append(b.getBundleId()).append(' ').append(b.getSymbolicName()).append(' ').append(b.getVersion())
                    .append(' ').append(state(b)).append(' ').append(origin(b)).append('\n');
        }
        return sb.toString();
    }

    /** Appends a piece of an upload (URL-safe base64, no padding needed) at {@code offset}, which must be its size so far. */
    public synchronized String chunk(String name, long offset, String base64) {
        Path part = part(name);
        try {
            Files.createDirectories(incoming);
            if (offset == 0) {
                deleteStale(incoming);
            }
            long size = Files.exists(part) ? Files.size(part) : 0;
            if (offset == 0) {
                Files.deleteIfExists(part);
                size = 0;
            }
            if (offset != size) {
                throw new IllegalStateException("upload " + name + " has " + size + " bytes, not " + offset
                        + ": start it again from 0");
            }
            byte[] bytes = Base64.getUrlDecoder().decode(base64);
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(bytes);
            }
            return "upload " + name + ": " + (size + bytes.length) + " bytes\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + part + ": " + e.getMessage(), e);
        }
    }

    /** Installs and starts the uploaded jar; an identical jar already installed here is a success. */
    public synchronized String install(String name, String sha256) throws IOException {
        Path part = verified(name, sha256);
        BundleHeader h = header(part);
        Optional<Bundle> existing = bySymbolicName(h.symbolicName());
        Path target = target(h.symbolicName());
        if (existing.isPresent()) {
            Bundle b = existing.get();
            Files.deleteIfExists(part);
            if (isReplicas(b) && Files.exists(target) && sha256(target).equals(sha256)) {
                return "already installed: " + describe(b) + " (the same jar)\n";
            }
            throw new IllegalStateException(h.symbolicName() + " is already installed here: " + describe(b)
                    + " from " + origin(b) + (isReplicas(b) ? "; use update" : " (" + b.getLocation()
                    + "); only bundles added with 'chubby bundle' can be changed with it"));
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Bundle b;
        try (InputStream in = Files.newInputStream(target)) {
            b = context.installBundle(location(target), in);
        } catch (BundleException e) {
            Files.deleteIfExists(target);
            throw new IllegalStateException(h + " could not be installed: " + e.getMessage(), e);
        }
        try {
            b.start();
        } catch (BundleException e) {
            uninstallQuietly(b);
            Files.deleteIfExists(target);
            throw new IllegalStateException(h + " could not be started, nothing is left installed: " + e.getMessage(), e);
        }
        return "installed " + describe(b) + "\n";
    }

    /**
     * Replaces a bundle added here by the uploaded build (same symbolic name), refreshes it and
     * starts it; a build that does not start is rolled back to the previous jar.
     */
    public synchronized String update(String name, String sha256) throws IOException {
        Path part = verified(name, sha256);
        BundleHeader h = header(part);
        Bundle b = replicas(h.symbolicName(), part);
        Path target = target(h.symbolicName());
        if (sha256(target).equals(sha256)) {
            Files.deleteIfExists(part);
            return "already at this build: " + describe(b) + "\n";
        }
        String before = b.getVersion().toString();
        Path previous = dir.resolve(h.symbolicName() + ".jar.previous");
        Files.copy(target, previous, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try {
            updateFrom(b, target);
        } catch (BundleException e) {
            Files.move(previous, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String back;
            try {
                updateFrom(b, target);
                back = "rolled back to " + describe(b);
            } catch (BundleException again) {
                back = "the previous jar is back in " + target + " but did not start either: " + again.getMessage();
            }
            throw new IllegalStateException(h + " did not start (" + e.getMessage() + "); " + back, e);
        }
        Files.deleteIfExists(previous);
        return "updated " + h.symbolicName() + " " + before + " -> " + describe(b).substring(h.symbolicName().length() + 1) + "\n";
    }

    /**
     * What a drop-in directory rolled over the cell does ({@code chubby bundle watch}): installs the
     * uploaded jar, or updates to it the bundle of the same symbolic name added here before. Like
     * both, the same jar again is a success, and a bundle of the distribution is refused.
     */
    public synchronized String deploy(String name, String sha256) throws IOException {
        BundleHeader h = header(verified(name, sha256));
        Optional<Bundle> existing = bySymbolicName(h.symbolicName());
        return existing.isPresent() && isReplicas(existing.get()) ? update(name, sha256) : install(name, sha256);
    }

    /** Uninstalls a bundle added here and removes its jar; one that is not installed is a success. */
    public synchronized String uninstall(String symbolicName) throws IOException {
        Optional<Bundle> found = bySymbolicName(symbolicName);
        if (found.isEmpty()) {
            Files.deleteIfExists(target(symbolicName));
            return "not installed: " + symbolicName + " (nothing to do)\n";
        }
        Bundle b = replicas(symbolicName, null);
        String what = describe(b);
        try {
            b.uninstall();
        } catch (BundleException e) {
            throw new IllegalStateException(what + " could not be uninstalled: " + e.getMessage(), e);
        }
        Files.deleteIfExists(target(symbolicName));
        refresh(b);
        return "uninstalled " + what.replaceFirst(": [A-Z]+$", "") + "\n";
    }

    /**
     * At start: installs and starts every jar of {@code bundles/} not installed yet (the framework
     * cache is wiped at every start) and drops uploads older than an hour. Returns one line per jar.
     */
    public synchronized List<String> restore() {
        List<String> lines = new ArrayList<>();
        try {
            deleteStale(incoming);
            if (!Files.isDirectory(dir)) {
                return lines;
            }
            List<Path> jars;
            try (Stream<Path> s = Files.list(dir)) {
                jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            }
            List<Bundle> installed = new ArrayList<>();
            for (Path jar : jars) {
                if (context.getBundle(location(jar)) != null) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(jar)) {
                    installed.add(context.installBundle(location(jar), in));
                } catch (BundleException | IOException e) {
                    lines.add("not installed " + jar + ": " + e.getMessage());
                }
            }
            for (Bundle b : installed) {
                try {
                    b.start();
                    lines.add("installed " + describe(b));
                } catch (BundleException e) {
                    lines.add("installed " + describe(b) + ", not started: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            lines.add("cannot read " + dir + ": " + e.getMessage());
        }
        return lines;
    }

    /**
     * Stopped first, so the new build starts once, after the refresh: {@code Bundle.update} restarts
     * an active bundle, and the refresh would then stop and start it again (its components activated
     * twice, its ports and servlets opened, closed and opened).
     */
    private void updateFrom(Bundle b, Path jar) throws BundleException, IOException {
        b.stop();
        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in);
        }
        refresh(b);
        b.start();
    }

    /** Rewires the bundle (and what depends on it) so no one keeps the old revision's class loader. */
    private void refresh(Bundle b) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(List.of(b), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the framework did not refresh " + b.getSymbolicName() + " within "
                        + REFRESH_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while refreshing " + b.getSymbolicName(), e);
        }
    }

    /** The bundle named, which must have been added here; {@code upload} is removed when it is not. */
    private Bundle replicas(String symbolicName, Path upload) throws IOException {
        Optional<Bundle> found = bySymbolicName(symbolicName);
        if (found.isEmpty() || !isReplicas(found.get())) {
            if (upload != null) {
                Files.deleteIfExists(upload);
            }
            throw new IllegalStateException(found.map(b -> symbolicName + " is part of " + origin(b) + " ("
                    + b.getLocation() + "); only bundles added with 'chubby bundle install' can be changed with it")
                    .orElse(symbolicName + " is not installed in this replica; use install"));
        }
        return found.get();
    }

    private Optional<Bundle> bySymbolicName(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    private boolean isReplicas(Bundle b) {
        return b.getLocation().startsWith(dir.toUri().toString());
    }

    private String origin(Bundle b) {
        String loc = b.getLocation();
        if (b.getBundleId() == 0) {
            return "framework";
        }
        if (isReplicas(b)) {
            return "replica";
        }
        if (loc.contains("/deploy/")) {
            return "deploy";
        }
        return "distribution";
    }

    private Path verified(String name, String sha256) throws IOException {
        Path part = part(name);
        if (!Files.isRegularFile(part)) {
            throw new IllegalStateException("no upload " + name + " in " + incoming);
        }
        String actual = sha256(part);
        if (!actual.equalsIgnoreCase(sha256)) {
            Files.deleteIfExists(part);
            throw new IllegalStateException("upload " + name + " is damaged: SHA-256 " + actual + ", expected " + sha256);
        }
        return part;
    }

    private Path part(String name) {
        if (!UPLOAD_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad upload name: " + name);
        }
        return incoming.resolve(name + ".part");
    }

    private Path target(String symbolicName) throws IOException {
        // The name comes from an admin command line too (uninstall): it names a file of dir, no path.
        if (!UPLOAD_NAME.matcher(symbolicName).matches()) {
            throw new IllegalArgumentException("bad bundle symbolic name: " + symbolicName);
        }
        Files.createDirectories(dir);
        return dir.resolve(symbolicName + ".jar");
    }

    private static String location(Path jar) {
        return jar.toAbsolutePath().toUri().toString();
    }

    /** Symbolic name and version from a jar's manifest. */
    static BundleHeader header(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            return BundleHeader.of(in);
        }
    }

    private static String describe(Bundle b) {
        return b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId() + "): " + state(b);
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException | IllegalStateException e) {
            // already gone: nothing left to undo
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops uploads older than an hour: left by a command that did not finish (one in progress is younger). */
    private static void deleteStale(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        long cutoff = System.currentTimeMillis() - STALE_UPLOAD_MS;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path q : s.toList()) {
                if (Files.getLastModifiedTime(q).toMillis() < cutoff) {
                    Files.deleteIfExists(q);
                }
            }
        }
    }
}
