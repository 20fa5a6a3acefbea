package io.chubby.cli.internal.cell;

import io.chubby.spi.Member;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void membersAndAddressesFollowTheBasePort() {
        CellLayout l = new CellLayout(tmp, 5, 7000, "local");
        assertEquals("1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,3@127.0.0.1:7003:7103,"
                + "4@127.0.0.1:7004:7104,5@127.0.0.1:7005:7105", l.membersValue());
        assertEquals(5, Member.parseList(l.membersValue()).size(), "the SPI parser accepts it");
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003", "127.0.0.1:7004", "127.0.0.1:7005"),
                l.clientAddresses());
        assertEquals("export CHUBBY_CELL=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005",
                l.exportLine());
        assertEquals("export CHUBBY_CELL=127.0.0.1:9001", new CellLayout(tmp, 1, 9000, "local").exportLine());
    }

    @Test
    void createWritesInstanceDirectoriesAndConfigAdminProperties() throws IOException {
        Path dir = tmp.resolve("cell");
        CellLayout l = new CellLayout(dir, 3, 7200, "local");
        l.create();
        for (int i = 1; i <= 3; i++) {
            for (String sub : List.of("etc", "data", "log")) {
                assertTrue(Files.isDirectory(dir.resolve("replica-" + i).resolve(sub)));
            }
        }
        Path cfg = dir.resolve("replica-2/etc/io.chubby.replica.cfg");
        Properties p = load(cfg);
        assertEquals("local", p.getProperty("cell.name"));
        assertEquals("2", p.getProperty("replica.id"));
        assertEquals("1@127.0.0.1:7201:7301,2@127.0.0.1:7202:7302,3@127.0.0.1:7203:7303", p.getProperty("members"));
        assertEquals(dir.resolve("replica-2/data").toString(), p.getProperty("data.dir"));
        assertTrue(Path.of(p.getProperty("data.dir")).isAbsolute());
        assertEquals(4, p.size(), "exactly the four identity keys: " + p);

        Properties http = load(dir.resolve("replica-2/etc/org.apache.felix.http.cfg"));
        assertEquals("7402", http.getProperty("org.osgi.service.http.port"), "HTTP: base + 200 + id");
        assertEquals("127.0.0.1", http.getProperty("org.apache.felix.http.host"));
        assertEquals("http://127.0.0.1:7403", l.httpAddress(3));

        Properties cell = load(dir.resolve("cell.properties"));
        assertEquals("3", cell.getProperty("replicas"));
        assertEquals("7200", cell.getProperty("base.port"));
        assertEquals(l, CellLayout.read(dir).orElseThrow());
    }

    @Test
    void createAgainKeepsDataAndDoesNotTouchUnchangedConfig() throws IOException {
        CellLayout l = new CellLayout(tmp, 1, 7000, "local");
        l.create();
        Path data = l.replicaDir(1).resolve("data").resolve("00000000.jdb");
        Files.writeString(data, "log");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(l.configFile(1), old);
        l.create();
        assertEquals("log", Files.readString(data));
        assertEquals(old, Files.getLastModifiedTime(l.configFile(1)));
    }

    @Test
    void tuningGoesToEachComponentsFileMergedAndRewrittenOnlyOnChange() throws IOException {
        CellLayout l = new CellLayout(tmp, 3, 7000, "local");
        l.create();
        l.writeTuning(Map.of("paxos.lease.ms", "3000", "store.cache.mb", "32", "transport.client.io.threads", "1"));
        for (int i = 1; i <= 3; i++) {
            assertEquals(Map.of("paxos.lease.ms", "3000"), toMap(load(l.configFile(i, "io.chubby.paxos"))));
            assertEquals(Map.of("store.cache.mb", "32"), toMap(load(l.configFile(i, "io.chubby.store"))));
            assertEquals(Map.of("transport.client.io.threads", "1"),
                    toMap(load(l.configFile(i, "io.chubby.transport.client"))));
            assertEquals(4, load(l.configFile(i)).size(), "the identity file is untouched");
        }
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(l.configFile(1, "io.chubby.store"), old);
        l.writeTuning(Map.of("store.cache.mb", "32"));
        assertEquals(old, Files.getLastModifiedTime(l.configFile(1, "io.chubby.store")), "same keys: not rewritten");
        l.writeTuning(Map.of("paxos.renew.ms", "1000"));
        assertEquals(Map.of("paxos.lease.ms", "3000", "paxos.renew.ms", "1000"),
                toMap(load(l.configFile(2, "io.chubby.paxos"))), "earlier keys are kept");
    }

    @Test
    void tuningWithAKeyOfNoComponentOrOfTheIdentityTouchesNothing() {
        CellLayout l = new CellLayout(tmp, 1, 7000, "local");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.writeTuning(Map.of("paxos.lease.ms", "3000", "lease.ms", "1")));
        assertTrue(e.getMessage().contains("'lease.ms' belongs to no component"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> l.writeTuning(Map.of("members", "x")));
        assertTrue(e.getMessage().contains("members: written by 'cell up' itself"), e.getMessage());
        assertFalse(Files.exists(l.configFile(1, "io.chubby.paxos")));
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> out = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    @Test
    void theBasePortLeavesRoomForTheHttpPorts() {
        assertEquals(65535, new CellLayout(tmp, 3, 65332, "local").httpPort(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CellLayout(tmp, 3, 65333, "local"));
        assertEquals("base port 65333 leaves no room for ports up to 65536", e.getMessage());
    }

    @Test
    void relativeDirectoriesBecomeAbsolute() {
        assertTrue(new CellLayout(Path.of("var/cell"), 1, 7000, "local").dir().isAbsolute());
    }

    @Test
    void rejectsEvenOrTooManyReplicasAndPortsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new CellLayout(tmp, 0, 7000, "local"));
        assertThrows(IllegalArgumentException.class, () -> new CellLayout(tmp, 4, 7000, "local"));
        assertThrows(IllegalArgumentException.class, () -> new CellLayout(tmp, 11, 7000, "local"));
        assertThrows(IllegalArgumentException.class, () -> new CellLayout(tmp, 5, 65331, "local"));
        new CellLayout(tmp, 5, 65330, "local"); // the HTTP ports (base + 200 + i) end at 65535
    }

    @Test
    void readsNothingFromAnEmptyDirectoryAndComplainsAboutADamagedFile() throws IOException {
        assertTrue(CellLayout.read(tmp).isEmpty());
        Files.writeString(tmp.resolve("cell.properties"), "replicas=five\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CellLayout.read(tmp));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    private static Properties load(Path f) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        return p;
    }
}
