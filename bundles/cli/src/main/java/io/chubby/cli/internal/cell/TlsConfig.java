package io.chubby.cli.internal.cell;

import io.chubby.client.ClientSecurity;
import io.chubby.spi.ReplicaConfig;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * TLS of a local cell ({@code cell up --tls}): the certificates under {@code DIR/tls/} and the
 * keys that point every replica's client acceptor and peer transport at them. Once a cell has
 * them, later {@code cell up} runs keep TLS on (and reach the replicas with the admin certificate).
 *
 * <p>The certificates are made by {@code io.chubby.cli.internal.tls.CellCertificates}
 * (BouncyCastle), loaded in a class loader of its own over {@code $CHUBBY_HOME/lib/tls/*.jar} and
 * this jar, so BouncyCastle is read only by this command; without {@code lib/tls} (tests, an IDE)
 * it comes from the command's own class path.
 */
public record TlsConfig(CellLayout layout) {
    /** The console bundle's PID (bundles/console), whose {@code console.status.tls.ca} is written here. */
    static final String CONSOLE_PID = "io.chubby.console";
    static final String MAKER = "io.chubby.cli.internal.tls.CellCertificates";

    public Path dir() {
        return layout.dir().resolve("tls");
    }

    public Path ca() {
        return dir().resolve("ca.pem");
    }

    public Path cert(int replica) {
        return dir().resolve("replica-" + replica + ".pem");
    }

    public Path key(int replica) {
        return dir().resolve("replica-" + replica + ".key");
    }

    public Path adminCert() {
        return dir().resolve("admin.pem");
    }

    public Path adminKey() {
        return dir().resolve("admin.key");
    }

    /** Whether this cell was set up with TLS (its CA exists). */
    public boolean present() {
        return Files.isRegularFile(ca());
    }

    /** Makes the CA and certificates that are missing (BouncyCastle); returns the line to print. */
    public String ensureCertificates(Path home) {
        return maker(home, "ensure", new Class<?>[] {Path.class, String.class, int.class},
                dir(), layout.cellName(), layout.replicas());
    }

    /** The client certificate of principal {@code name}, signed by this cell's CA (made unless it exists). */
    public Path clientCert(String name) {
        return dir().resolve(name + ".pem");
    }

    public Path clientKey(String name) {
        return dir().resolve(name + ".key");
    }

    /** Issues principal {@code name}'s client certificate from the cell's CA (BouncyCastle); returns the line to print. */
    public String issueClientCertificate(Path home, String name) {
        return maker(home, "client", new Class<?>[] {Path.class, String.class}, dir(), name);
    }

    /** Issues a server certificate (a proxy's: serverAuth + clientAuth, SANs of this host) for {@code name}. */
    public String issueServerCertificate(Path home, String name) {
        return maker(home, "server", new Class<?>[] {Path.class, String.class}, dir(), name);
    }

    /** The {@code export CHUBBY_TLS_*} line of principal {@code name}'s certificate. */
    public String exportLine(String name) {
        return "export " + ClientSecurity.TLS_CA_ENV + "=" + ca() + " " + ClientSecurity.TLS_CERT_ENV + "="
                + clientCert(name) + " " + ClientSecurity.TLS_KEY_ENV + "=" + clientKey(name);
    }

    private String maker(Path home, String method, Class<?>[] types, Object... args) {
        try (URLClassLoader own = isolatedLoader(home)) {
            ClassLoader loader = own != null ? own : TlsConfig.class.getClassLoader();
            Class<?> maker = Class.forName(MAKER, true, loader);
            return (String) maker.getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("cannot make the cell's certificates in " + dir() + ": " + c, c);
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            throw new IllegalStateException("cannot load BouncyCastle to make certificates (lib/tls of the "
                    + "distribution): " + e, e);
        }
    }

    /** A loader over lib/tls and this jar only (parent: the platform loader); null without lib/tls. */
    private static URLClassLoader isolatedLoader(Path home) throws IOException {
        Path lib = home == null ? null : home.resolve("lib").resolve("tls");
        if (lib == null || !Files.isDirectory(lib)) {
            return null;
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(j.toUri().toURL());
            }
        }
        try {
            urls.add(TlsConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI().toURL());
        } catch (java.net.URISyntaxException | MalformedURLException e) {
            throw new IOException("cannot locate the CLI's own jar", e);
        }
        return new URLClassLoader("chubby-tls", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    /**
     * Writes the TLS keys into every replica's client acceptor and peer transport files, the
     * superuser into {@code io.chubby.acl.cfg}, the CA into {@code io.chubby.console.cfg} (the
     * console's cell page asks the other replicas over TLS), and, when {@code enforce}, {@code cell.acl.enforce=true}.
     */
    public void apply(boolean enforce) {
        for (int i = 1; i <= layout.replicas(); i++) {
            String header = " of replica " + i + " of cell " + layout.cellName()
                    + ", written by 'chubby cell up --tls'; later runs keep keys they are not given.";
            CellLayout.mergeConfig(layout.configFile(i, ReplicaConfig.CLIENT_TRANSPORT_PID),
                    "# " + ReplicaConfig.CLIENT_TRANSPORT_PID + header, keys("transport.client.tls.", i));
            CellLayout.mergeConfig(layout.configFile(i, ReplicaConfig.PEER_TRANSPORT_PID),
                    "# " + ReplicaConfig.PEER_TRANSPORT_PID + header, keys("transport.peer.tls.", i));
            CellLayout.mergeConfig(layout.configFile(i, ReplicaConfig.ACL_PID), "# " + ReplicaConfig.ACL_PID + header,
                    Map.of("acl.superusers", "admin"));
            // the console's cell page asks the other replicas over TLS (inert without the console bundle)
            CellLayout.mergeConfig(layout.configFile(i, CONSOLE_PID), "# " + CONSOLE_PID + header,
                    Map.of("console.status.tls.ca", ca().toString()));
            if (enforce) {
                CellLayout.mergeConfig(layout.configFile(i, ReplicaConfig.CELL_PID), "# " + ReplicaConfig.CELL_PID
                        + header, Map.of("cell.acl.enforce", "true"));
            }
        }
    }

    private Map<String, String> keys(String prefix, int replica) {
        Map<String, String> m = new TreeMap<>();
        m.put(prefix + "enabled", "true");
        m.put(prefix + "cert", cert(replica).toString());
        m.put(prefix + "key", key(replica).toString());
        m.put(prefix + "ca", ca().toString());
        return m;
    }

    /** How the CLI reaches this cell: its CA, the admin's certificate. */
    public ClientSecurity adminSecurity() {
        return ClientSecurity.builder().tlsFiles(ca(), adminCert(), adminKey(), null).build();
    }

    /** {@code export CHUBBY_TLS_CA=... CHUBBY_TLS_CERT=... CHUBBY_TLS_KEY=...} (the admin's). */
    public String exportLine() {
        return exportLine("admin");
    }
}
