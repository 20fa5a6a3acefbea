package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.ReplicaConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/chubby-server --config FILE}: one properties file is split by key prefix into the
 * etc/ file of each PID, by the same rule as {@link ReplicaConfig#pidOf}. The script is run with
 * {@code JAVA=true}, so it does everything up to starting the JVM and then exits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerScriptIT {

    /** One key of every PID, plus the identity. */
    private static Map<String, String> oneKeyPerComponent() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("cell.name", "local");
        keys.put("replica.id", "1");
        keys.put("members", "1@127.0.0.1:7001:7101");
        keys.put("store.cache.mb", "32");
        keys.put("paxos.lease.ms", "3000");
        keys.put("transport.peer.io.threads", "1");
        keys.put("transport.client.max.frame.bytes", "65536");
        keys.put("cell.session.lease.ms", "9000");
        keys.put("dns.port", "8053");
        return keys;
    }

    @Test
    void configFileIsSplitIntoEachComponentsPidFile() throws Exception {
        Path dir = ExamOptions.tempDir("server-script");
        Path instance = dir.resolve("r1");
        Map<String, String> keys = oneKeyPerComponent();
        Path file = write(dir.resolve("replica.properties"), keys, "# a comment\n\npaxos.renew.ms : 1000\n");
        Run run = server(file, instance);
        assertEquals(0, run.exit, run.toString());

        Map<String, Map<String, String>> expected = new TreeMap<>();
        ReplicaConfig.byPid(keys).forEach((pid, k) -> expected.put(pid, new TreeMap<>(k)));
        expected.get(ReplicaConfig.PAXOS_PID).put("paxos.renew.ms", "1000");
        expected.get(ReplicaConfig.PID).put("data.dir", instance.resolve("data").toString());
        assertEquals(expected, pidFiles(instance), "the script and ReplicaConfig.pidOf route every key alike");
        try (Stream<Path> s = Files.list(instance)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    "nothing staged is left beside etc/");
        }

        // the next run without the dns key removes the file an earlier run wrote for it
        keys.remove("dns.port");
        assertEquals(0, server(write(file, keys, ""), instance).exit);
        assertFalse(Files.exists(instance.resolve("etc/io.chubby.dns.cfg")));
        assertTrue(Files.exists(instance.resolve("etc/io.chubby.paxos.cfg")));
    }

    @Test
    void aKeyOfNoComponentIsRefusedAndNothingIsWritten() throws Exception {
        Path dir = ExamOptions.tempDir("server-script-bad");
        Path instance = dir.resolve("r1");
        Map<String, String> keys = oneKeyPerComponent();
        keys.put("transport.io.threads", "4");
        Run run = server(write(dir.resolve("replica.properties"), keys, ""), instance);
        assertEquals(2, run.exit, run.toString());
        assertTrue(run.err.contains("key transport.io.threads belongs to no component"), run.err);
        try (Stream<Path> s = Files.list(instance.resolve("etc"))) {
            assertEquals(List.of(), s.toList());
        }
    }

    private record Run(int exit, String err) {
    }

    private static Run server(Path config, Path instance) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ExamOptions.dist().resolve("bin/chubby-server").toString(),
                "--config", config.toString(), "--dir", instance.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JAVA", "true"); // everything but the JVM
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "chubby-server did not finish");
        return new Run(p.exitValue(), err);
    }

    private static Path write(Path file, Map<String, String> keys, String more) throws IOException {
        StringBuilder sb = new StringBuilder();
        keys.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, sb + more);
        return file;
    }

    /** Every etc/io.chubby.*.cfg of the instance: PID -> its keys. */
    private static Map<String, Map<String, String>> pidFiles(Path instance) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(instance.resolve("etc"))) {
            for (Path f : s.filter(p -> p.getFileName().toString().matches("io\\.chubby\\..*\\.cfg")).toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
                Map<String, String> m = new TreeMap<>();
                p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
                String name = f.getFileName().toString();
                out.put(name.substring(0, name.length() - ".cfg".length()), m);
            }
        }
        return out;
    }
}
