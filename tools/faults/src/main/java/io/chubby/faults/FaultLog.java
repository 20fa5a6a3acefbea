package io.chubby.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nemesis's journal: every fault and heal with a wall-clock timestamp (to match the replicas'
 * logs) and the time since the run started, appended to a file and kept in memory for the
 * summary. Thread-safe (synchronized).
 */
public final class FaultLog {
    private static final Logger log = LoggerFactory.getLogger(FaultLog.class);

    private final Path file;
    private final long startNanos = System.nanoTime();
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Integer> faults = new TreeMap<>();

    /** @param file where to append the journal, or null to keep it in memory only */
    public FaultLog(Path file) {
        this.file = file;
    }

    /** A fault was injected (counted in the summary). */
    public void fault(String kind, String detail) {
        synchronized (this) {
            faults.merge(kind, 1, Integer::sum);
        }
        write("fault=" + kind + " " + detail);
    }

    /** Anything else worth knowing when reading the logs (heals, restarts, masters found). */
    public void note(String text) {
        write(text);
    }

    private synchronized void write(String text) {
        String line = String.format("%s +%.3fs %s", Instant.now(), (System.nanoTime() - startNanos) / 1e9, text);
        lines.add(line);
        log.info("nemesis {}", line);
        if (file != null) {
            try {
                Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public synchronized int faultCount() {
        return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Faults injected per kind. */
    public synchronized Map<String, Integer> faultsByKind() {
        return new TreeMap<>(faults);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
