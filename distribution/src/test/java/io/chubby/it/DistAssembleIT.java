package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.ClientSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23, assembling: {@code chubby dist assemble} of the full distribution (target/chubby) into
 * the {@code replica} (core, dns, acl) and {@code proxy} (core, proxy) profiles, each equal to the
 * one {@code mvn package} made in target/profiles/; a 3-replica cell started by the replica
 * profile's own {@code bin/chubby cell up} runs exactly its bundles, all resolved (no bundle left
 * Installed), serves a put/cat round trip and DNS; a proxy from the proxy profile's
 * {@code bin/chubby-proxy} in front of it serves a read. With the real bundles: a feature set that
 * needs another ({@code console} without {@code metrics}'s HTTP server) and a distribution with a
 * system bundle removed are refused with the missing package named, before anything is written.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistAssembleIT {
    private static final Map<String, String> PROFILES = Map.of("replica", "core,dns,acl", "proxy", "core,proxy",
            "full", "core,dns,acl,proxy,partitioning,mirror,metrics,console");

    private LocalCell cell;
    private ProxyCell proxies;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stop() {
        if (proxies != null) {
            proxies.destroy();
        }
        if (cell != null) {
            cell.stop();
        }
    }

    /** {@code bin/chubby dist assemble} of {@code home}; the run's output. */
    private static LocalCell.Run assemble(Path home, String features, Path out) {
        LocalCell.Run r = new LocalCell(home, 1).chubby(null, "dist", "assemble", "--features", features, "--out",
                out.toString());
        System.out.println("DistAssembleIT: " + String.join(" ", r.command()) + " -> exit " + r.exit());
        return r;
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theReplicaAndProxyProfilesRunACellAndAProxy() throws Exception {
        Path dist = ExamOptions.dist();
        Path profiles = Path.of(System.getProperty("chubby.profiles"));
        Path work = ExamOptions.tempDir("dist-assemble");
        for (String name : List.of("replica", "proxy")) {
            long t0 = System.nanoTime();
            LocalCell.Run r = assemble(dist, PROFILES.get(name), work.resolve(name));
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.out().contains("(Felix resolver, all requirements satisfied)"), r.out());
            System.out.printf("DistAssembleIT: %s assembled and resolved in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
            for (String sub : List.of("system", "bundle", "proxy", "bin", "lib")) {
                assertEquals(names(profiles.resolve(name).resolve(sub)), names(work.resolve(name).resolve(sub)),
                        name + "/" + sub + " as mvn package made it");
            }
        }
        Path replica = work.resolve("replica");
        assertEquals(List.of("chubby-acl.jar", "chubby-api.jar", "chubby-bdb-store.jar", "chubby-cli.jar",
                "chubby-client.jar", "chubby-consensus-paxos.jar", "chubby-dns-bridge.jar", "chubby-identity.jar",
                "chubby-protocol.jar", "chubby-session-mgr.jar", "chubby-transport-mina.jar"), names(replica.resolve("bundle")));
        assertFalse(names(replica.resolve("system")).contains("org.apache.felix.http.jetty.jar"));
        assertEquals(List.of(), names(replica.resolve("proxy")));
        assertEquals(List.of("chubby-api.jar", "chubby-client.jar", "chubby-protocol.jar", "chubby-proxy.jar",
                "chubby-transport-mina.jar"), names(work.resolve("proxy").resolve("proxy")));

        long t0 = System.nanoTime();
        cell = new LocalCell(replica, 3);
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertTrue(up.out().contains("export CHUBBY_DNS=127.0.0.1:" + (cell.basePort() + 51)), up.out());
        System.out.printf("DistAssembleIT: replica profile: cell up of 3 replicas in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(0, cell.chubby(null, "mkdir", "-p", "/ls/local/assembled").exit());
        LocalCell.Run put = cell.chubby(null, "put", "/ls/local/assembled/greeting", "hello from the replica profile");
        assertEquals(0, put.exit(), put::toString);
        LocalCell.Run cat = cell.chubby(null, "cat", "/ls/local/assembled/greeting");
        assertEquals(0, cat.exit(), cat::toString);
        assertEquals("hello from the replica profile", cat.out().strip());

        // the replicas run exactly the profile's bundles, every one resolved
        LocalCell.Run lb = cell.chubby(null, "admin", "lb", "-s");
        assertEquals(0, lb.exit(), lb::toString);
        for (String bsn : List.of("io.chubby.cell", "io.chubby.paxos", "io.chubby.dns", "io.chubby.acl", "io.chubby.cli")) {
            assertTrue(lb.out().contains(bsn), bsn + " in\n" + lb.out());
        }
        for (String absent : List.of("io.chubby.console", "io.chubby.metrics", "io.chubby.proxy", "io.chubby.mirror",
                "io.chubby.partition", "org.apache.felix.http.jetty", "org.apache.felix.webconsole")) {
            assertFalse(lb.out().contains(absent), absent + " in\n" + lb.out());
        }
        assertFalse(lb.out().contains("Installed"), "an unresolved bundle:\n" + lb.out());

        t0 = System.nanoTime();
        proxies = ProxyCell.start(work.resolve("proxy"), cell, 1, ClientSecurity.NONE, List.of());
        System.out.printf("DistAssembleIT: proxy profile: proxy serving in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        LocalCell.Run viaProxy = cell.chubby(null, "--cell", proxies.spec(), "cat", "/ls/local/assembled/greeting");
        assertEquals(0, viaProxy.exit(), () -> viaProxy + proxies.log(1));
        assertEquals("hello from the replica profile", viaProxy.out().strip());
        assertEquals("proxy", ProxyCell.status(proxies.address(1)).role());
    }

    @Test
    void aFeatureSetWithAMissingCapabilityIsRefusedNamingIt() throws Exception {
        Path dist = ExamOptions.dist();
        Path work = ExamOptions.tempDir("dist-refused");

        // console without metrics: the web console and the Chubby pages need the HTTP server's servlet API
        LocalCell.Run console = assemble(dist, "core,console", work.resolve("console"));
        assertEquals(22, console.exit(), console::toString);
        assertTrue(console.err().contains("bundle/chubby-console.jar (io.chubby.console "), console.err());
        assertTrue(console.err().contains("needs package jakarta.servlet [5.0.0,6.0.0): nothing in features core,console "
                + "provides it (feature metrics does)"), console.err());
        assertFalse(Files.exists(work.resolve("console")));

        // a distribution whose core lost protobuf-java (jar and entry): the resolver names what needed it
        Path broken = work.resolve("broken");
        assertEquals(0, assemble(dist, "core", broken).exit());
        Path features = broken.resolve("conf/features.properties");
        Files.writeString(features, Files.readString(features).replace(" system/protobuf-java.jar, \\\n", ""));
        assertFalse(Files.readString(features).contains("protobuf"));
        Files.delete(broken.resolve("system/protobuf-java.jar"));
        LocalCell.Run refused = assemble(broken, "core", work.resolve("from-broken"));
        assertEquals(22, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("bundle/chubby-protocol.jar (io.chubby.protocol "), refused.err());
        assertTrue(refused.err().contains("needs package com.google.protobuf [4.28.0,5.0.0): nothing in features core "
                + "provides it"), refused.err());
        assertFalse(Files.exists(work.resolve("from-broken")));

        LocalCell.Run unknown = assemble(dist, "core,sharding", work.resolve("unknown"));
        assertEquals(22, unknown.exit());
        assertEquals(List.of("chubby: INVALID_ARGUMENT: unknown feature sharding; known features: core, dns, acl, "
                + "proxy, partitioning, mirror, metrics, console"), unknown.errLines());

        // the partitioning feature resolves on the core alone (it meets the cell only through io.chubby.spi)
        LocalCell.Run partitioned = assemble(dist, "core,partitioning", work.resolve("partitioned"));
        assertEquals(0, partitioned.exit(), partitioned::toString);
        assertTrue(Files.isRegularFile(work.resolve("partitioned/bundle/chubby-partitioning.jar")));
    }

    @Test
    void everyProfileOfMvnPackageResolvesAndListsItsFeatures() throws Exception {
        Path profiles = Path.of(System.getProperty("chubby.profiles"));
        for (Map.Entry<String, String> p : PROFILES.entrySet()) {
            Path home = profiles.resolve(p.getKey());
            assertTrue(Files.readString(home.resolve("conf/features.properties"))
                    .contains("\nfeatures = " + p.getValue().replace(",", ", ") + "\n"), p.getKey());
            // assembling a profile again from itself resolves the same set
            LocalCell.Run again = assemble(home, p.getValue(), ExamOptions.tempDir("dist-again").resolve(p.getKey()));
            assertEquals(0, again.exit(), again::toString);
            assertTrue(again.out().contains("(Felix resolver, all requirements satisfied)"), again.out());
        }
        assertEquals(names(ExamOptions.dist().resolve("bundle")), names(profiles.resolve("full/bundle")));
        assertEquals(names(ExamOptions.dist().resolve("system")), names(profiles.resolve("full/system")));
        assertEquals(names(ExamOptions.dist().resolve("proxy")), names(profiles.resolve("full/proxy")));
    }
}
