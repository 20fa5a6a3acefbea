package io.chubby.cli.internal.cell;

import io.chubby.spi.Member;
import io.chubby.spi.ReplicaConfig;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The on-disk shape of a local cell created by {@code chubby cell up}: {@code DIR/cell.properties}
 * (replica count and base port) and one instance directory {@code DIR/replica-<i>/} with
 * {@code etc/io.chubby.replica.cfg} (the identity), {@code data/}, {@code log/} and a {@code pid}
 * file per replica, plus {@code etc/<pid>.cfg} for each component given tuning keys
 * ({@link #writeTuning}). Replica i listens for clients on {@code basePort + i}, for peers on
 * {@code basePort + 100 + i} and for HTTP (metrics and health, Felix HTTP Jetty) on
 * {@code basePort + 200 + i}. Immutable.
 */
public record CellLayout(Path dir, int replicas, int basePort, String cellName) {
    public static final String CELL_FILE = "cell.properties";
    public static final String CONFIG_FILE = ReplicaConfig.PID + ".cfg";
    public static final String DEFAULT_CELL = "local";
    public static final int MAX_REPLICAS = 9;
    public static final String HOST = "127.0.0.1";
    /** Config Admin PID of Felix HTTP Jetty, the HTTP Whiteboard the metrics bundle is served by. */
    public static final String HTTP_PID = "org.apache.felix.http";
    /** Replica i's HTTP port is {@code basePort + HTTP_OFFSET + i}. */
    public static final int HTTP_OFFSET = 200;

    public CellLayout {
        dir = dir.toAbsolutePath().normalize();
        if (replicas < 1 || replicas > MAX_REPLICAS || replicas % 2 == 0) {
            throw new IllegalArgumentException("a cell has an odd number of replicas from 1 to " + MAX_REPLICAS
                    + ", not " + replicas);
        }
        if (basePort < 1 || basePort + HTTP_OFFSET + replicas > 65535) {
            throw new IllegalArgumentException("base port " + basePort + " leaves no room for ports up to "
                    + (basePort + HTTP_OFFSET + replicas));
        }
    }

    /** Reads {@code DIR/cell.properties}, or empty when DIR holds no cell. */
    public static Optional<CellLayout> read(Path dir) {
        Path f = dir.resolve(CELL_FILE);
        Optional<Properties> file = readProperties(f);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Properties p = file.get();
        try {
            return Optional.of(new CellLayout(dir, Integer.parseInt(p.getProperty("replicas", "").trim()),
                    Integer.parseInt(p.getProperty("base.port", "").trim()),
                    p.getProperty("cell.name", DEFAULT_CELL).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(f + " is damaged: replicas and base.port must be numbers");
        }
    }

    public List<Member> members() {
        List<Member> out = new ArrayList<>(replicas);
        for (int i = 1; i <= replicas; i++) {
            out.add(new Member(i, HOST, basePort + i, basePort + 100 + i));
        }
        return out;
    }

    /** The {@code members} config value: {@code 1@127.0.0.1:7001:7101,...}. */
    public String membersValue() {
        return String.join(",", members().stream().map(Member::toString).toList());
    }

    /** Client addresses of every replica, in id order. */
    public List<String> clientAddresses() {
        return members().stream().map(Member::clientAddress).toList();
    }

    /** The line {@code cell up} prints last, for {@code eval}. */
    public String exportLine() {
        return "export CHUBBY_CELL=" + String.join(",", clientAddresses());
    }

    public Path replicaDir(int id) {
        return dir.resolve("replica-" + id);
    }

    public Path configFile(int id) {
        return configFile(id, ReplicaConfig.PID);
    }

    /** Replica {@code id}'s Config Admin file of PID {@code pid}: {@code etc/<pid>.cfg}. */
    public Path configFile(int id, String pid) {
        return replicaDir(id).resolve("etc").resolve(pid + ".cfg");
    }

    public Path pidFile(int id) {
        return replicaDir(id).resolve("pid");
    }

    public Path consoleLog(int id) {
        return replicaDir(id).resolve("log").resolve("console.log");
    }

    /** Contents of replica {@code id}'s {@code io.chubby.replica.cfg} (Config Admin properties). */
    public String configText(int id) {
        // Written by hand rather than with Properties.store: no timestamp comment (so an unchanged
        // cell rewrites an identical file) and no escaping of ':' that FileInstall would not need.
        return "# Replica " + id + " of cell " + cellName + ", written by 'chubby cell up'.\n"
                + ReplicaConfig.CELL_NAME + "=" + cellName + "\n"
                + ReplicaConfig.REPLICA_ID + "=" + id + "\n"
                + ReplicaConfig.MEMBERS + "=" + membersValue() + "\n"
                + ReplicaConfig.DATA_DIR + "=" + replicaDir(id).resolve("data") + "\n";
    }

    /** Replica {@code id}'s HTTP port (metrics and health): {@code basePort + 200 + id}. */
    public int httpPort(int id) {
        return basePort + HTTP_OFFSET + id;
    }

    /** Replica {@code id}'s HTTP address, {@code http://127.0.0.1:<httpPort>}. */
    public String httpAddress(int id) {
        return "http://" + HOST + ":" + httpPort(id);
    }

    /** Contents of replica {@code id}'s {@code org.apache.felix.http.cfg}: Felix HTTP Jetty's address. */
    public String httpConfigText(int id) {
        return "# HTTP (metrics, health) of replica " + id + " of cell " + cellName + ", written by 'chubby cell up'.\n"
                + "org.osgi.service.http.port=" + httpPort(id) + "\n"
                + "org.apache.felix.http.host=" + HOST + "\n";
    }

    public String cellFileText() {
        return "# Local cell written by 'chubby cell up'; do not edit while the cell runs.\n"
                + "cell.name=" + cellName + "\n"
                + "replicas=" + replicas + "\n"
                + "base.port=" + basePort + "\n";
    }

    /**
     * Creates every directory and writes the cell file and instance configs. Existing data is kept;
     * a config file is only rewritten when its contents differ, so a running replica never sees a
     * spurious change.
     */
    public void create() {
        try {
            Files.createDirectories(dir);
            writeIfChanged(dir.resolve(CELL_FILE), cellFileText());
            for (int i = 1; i <= replicas; i++) {
                Path r = replicaDir(i);
                Files.createDirectories(r.resolve("etc"));
                Files.createDirectories(r.resolve("data"));
                Files.createDirectories(r.resolve("log"));
                writeIfChanged(configFile(i), configText(i));
                writeIfChanged(configFile(i, HTTP_PID), httpConfigText(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cell in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes tuning keys into every replica's component files, each key into the file of the PID
     * it belongs to ({@link ReplicaConfig#byPid}: {@code store.*} into {@code io.chubby.store.cfg},
     * {@code paxos.*} into {@code io.chubby.paxos.cfg}, ...). Keys already in a file and not given
     * here are kept; a file is only rewritten when its keys changed.
     *
     * @throws IllegalArgumentException for a key of no component or an identity key (this layout
     *                                  writes those itself), before any file is touched
     */
    public void writeTuning(Map<String, String> keys) {
        Map<String, Map<String, String>> byPid = ReplicaConfig.byPid(keys);
        if (byPid.containsKey(ReplicaConfig.PID)) {
            throw new IllegalArgumentException(String.join(", ", byPid.get(ReplicaConfig.PID).keySet())
                    + ": written by 'cell up' itself, not tuning");
        }
        for (int i = 1; i <= replicas; i++) {
            for (Map.Entry<String, Map<String, String>> e : byPid.entrySet()) {
                mergeConfig(configFile(i, e.getKey()), "# " + e.getKey() + " of replica " + i + " of cell " + cellName
                        + ", written by 'chubby cell up'; later runs keep keys they are not given.", e.getValue());
            }
        }
    }

    /** A properties ({@code .cfg}) file's keys, or empty when there is no such file. */
    static Optional<Properties> readProperties(Path f) {
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return Optional.of(p);
    }

    /** Merges {@code keys} into a {@code .cfg} file (created if missing), rewritten only when its keys change. */
    static void mergeConfig(Path f, String header, Map<String, String> keys) {
        try {
            Map<String, String> existing = new TreeMap<>();
            readProperties(f).ifPresent(p -> p.stringPropertyNames().forEach(k -> existing.put(k, p.getProperty(k))));
            Map<String, String> merged = new TreeMap<>(existing);
            merged.putAll(keys);
            if (Files.isRegularFile(f) && merged.equals(existing)) {
                return;
            }
            StringBuilder text = new StringBuilder(header).append('\n');
            merged.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.createDirectories(f.getParent());
            writeIfChanged(f, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    static void writeIfChanged(Path f, String text) throws IOException {
        if (Files.isRegularFile(f) && Files.readString(f, StandardCharsets.UTF_8).equals(text)) {
            return;
        }
        // Written in place, not via a temp file: a config watcher in etc/ must never see a stray file.
        Files.writeString(f, text, StandardCharsets.UTF_8);
    }
}
