package io.chubby.faults;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ephemeral files under faults: in a loop, start a child process
 * {@code bin/chubby --cell ... put --ephemeral --hold 600 PATH VALUE} (a real client with its own
 * session, through the client proxies), wait until it says it holds the file, watch the file for
 * a few seconds from an observer session while the child lives, then {@code kill -9} the child
 * and wait for the file to disappear, asking through a fresh session each time (the observer's
 * session is ended first: any session's open handle keeps an ephemeral file). Anomalies
 * (recorded directly in the {@link History}):
 * <ul>
 *   <li>{@code ephemeral-vanished}: the observer found the file absent while its holder was alive
 *       (checked alive after the read returned). The nemesis never cuts a client off a majority
 *       for anywhere near the 45 s grace period, so a live holder's session must be alive too;</li>
 *   <li>{@code ephemeral-holder-exited}: the child ended by itself (its session expired, or it
 *       failed), with its exit status and output;</li>
 *   <li>{@code ephemeral-not-deleted}: the file was still there {@code maxLease} + 20 s after
 *       the later of the kill and the last master failover seen by the polls. Why that bound: a
 *       master may lengthen a lease up to {@code cell.session.max.lease.ms} (60 s), and every new
 *       master extends every session's lease to that maximum (and deletes ephemeral files without
 *       open handles about a minute after taking over), so a dead session can outlive its
 *       client by that much after each failover. Every poll notes the epoch; it sees a failover no earlier than it happened, so the bound errs on the late side.</li>
 * </ul>
 * Observer reads that fail (no master right now) are retried; they prove nothing either way.
 *
 * <p>Thread: one thread owns everything here (the child process, the observer session);
 * {@code stop} is the only shared flag. A cycle that has killed its child always finishes its
 * deletion check, so the thread may run up to {@code maxLease} + 20 s past {@code stop} (more if
 * failovers continue).
 */
final class EphemeralWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(EphemeralWorker.class);
    private static final Duration HOLDER_START = Duration.ofSeconds(40);
    private static final Duration DELETE_MARGIN = Duration.ofSeconds(20);

    private final Path distribution;
    private final Path workDir;
    private final List<String> cell;
    private final ClientOptions options;
    private final History history;
    private final Random random;
    private final AtomicBoolean stop;
    private final Duration maxLease;
    private ChubbyClient observer;
    private int cycle;
    private long lastEpoch = -1;
    /** Each Paxos group's highest epoch seen in the replicas' Status (a partitioned cell's groups fail over apart). */
    private final java.util.Map<Integer, Long> groupEpochs = new java.util.TreeMap<>();
    /** When the observer first saw the current epoch (shared clock), or 0. */
    private long lastEpochChange;

    EphemeralWorker(Path distribution, Path workDir, List<String> cell, ClientOptions options, History history,
                    long seed, AtomicBoolean stop, Duration maxLease) {
        this.distribution = distribution;
        this.workDir = workDir;
        this.cell = List.copyOf(cell);
        this.options = options.toBuilder().clientName("faults-ephemeral-observer").build();
        this.history = history;
        this.random = new Random(seed * 31_337);
        this.stop = stop;
        this.maxLease = maxLease;
    }

    @Override
    public void run() {
        try {
            while (!stop.get()) {
                cycle(++cycle);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            log.error("ephemeral worker crashed", e);
            history.anomaly("ephemeral-worker-crashed " + e);
        } finally {
            closeObserver();
        }
    }

    private void cycle(int n) throws IOException, InterruptedException {
        String path = "/ls/local/faults-ephemeral-" + n;
        ProcessBuilder pb = new ProcessBuilder(distribution.resolve("bin/chubby").toString(),
                "--cell", String.join(",", cell), "put", "--ephemeral", "--hold", "600", path, "holder-" + n)
                .redirectErrorStream(true);
        pb.environment().remove("CHUBBY_CELL");
        Process child = pb.start();
        long startDeadline = System.nanoTime() + HOLDER_START.toNanos();
        StringBuilder output = new StringBuilder();
        Thread pump = pump(child, output);
        try {
            while (!holding(output)) {
                if (!child.isAlive() || System.nanoTime() > startDeadline || stop.get()) {
                    // never held (no master for long, or the run ends): nothing to check
                    log.info("ephemeral holder did not start path={} alive={} output={}", path, child.isAlive(), output);
                    history.failed();
                    return;
                }
                Thread.sleep(100);
            }
            long watchUntil = System.nanoTime() + Duration.ofMillis(4000 + random.nextInt(4000)).toNanos();
            while (System.nanoTime() < watchUntil && !stop.get()) {
                Boolean exists = exists(path);
                boolean alive = child.isAlive();
                if (!alive) {
                    history.anomaly("ephemeral-holder-exited path=" + path + " status=" + child.waitFor()
                            + " output=" + oneLine(output));
                    return;
                }
                if (exists != null) {
                    if (!exists) {
                        history.anomaly("ephemeral-vanished path=" + path + " while its holder (pid " + child.pid()
                                + ") was alive; holder output=" + oneLine(output));
                        return;
                    }
                    history.checked();
                    history.count("ephemeral-seen-while-held");
                }
                Thread.sleep(200);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: the session is abandoned, not closed
            child.waitFor(10, TimeUnit.SECONDS);
            pump.join(1000);
            saveOutput(n, output);
        }
        long killed = System.nanoTime();
        // An open handle of ANY session keeps an ephemeral file alive (SPEC section 2), so the
        // observer's session is ended here (ending its handles, even one whose Close got lost in
        // a failover); from now on every poll is a session of its own, closed right after.
        closeObserver();
        Boolean last = null;
        while (System.nanoTime() < deleteDeadline(killed)) {
            Boolean exists = freshExists(path);
            last = exists;
            if (exists != null && !exists) {
                history.checked();
                history.count("ephemeral-deleted");
                log.info("ephemeral deleted path={} afterMs={}", path, (System.nanoTime() - killed) / 1_000_000);
                return;
            }
            Thread.sleep(1000);
        }
        history.anomaly("ephemeral-not-deleted path=" + path + " " + (System.nanoTime() - killed) / 1_000_000_000
                + " s after its holder was killed -9 and " + (System.nanoTime() - lastEpochChange) / 1_000_000_000
                + " s after the last failover seen (epoch " + lastEpoch + ", groups' epochs " + groupEpochs
                + "); last answer exists=" + last
                + " (null: could not ask); holder output=" + oneLine(output));
    }

    /**
     * Whether the file exists, asked through a new session (empty cache, no handles left behind:
     * the session is closed); notes the epoch. Null when it could not be asked.
     */
    private Boolean freshExists(String path) {
        try (ChubbyClient fresh = ChubbyClient.connect(options)) {
            boolean exists = fresh.exists(path);
            noteEpoch(fresh.masterInfo().epoch());
            noteGroupEpochs();
            return exists;
        } catch (RuntimeException e) {
            log.info("fresh exists failed path={} error={}", path, e.toString());
            return null;
        }
    }

    /**
     * A failover of any group counts as one (masterInfo names group 0's master only): the node's
     * group may be another, and each new master of it gives the dead holder's session a new lease.
     */
    private void noteGroupEpochs() {
        for (String address : cell) {
            try {
                io.chubby.client.ReplicaStatus s = ChubbyClient.status(address, Duration.ofSeconds(1), options.security());
                for (io.chubby.client.ReplicaStatus.Group g : s.groups()) {
                    Long before = groupEpochs.get(g.group());
                    if (before == null || g.epoch() > before) {
                        groupEpochs.put(g.group(), g.epoch());
                        if (before != null) {
                            lastEpochChange = History.now();
                        }
                    }
                }
            } catch (RuntimeException down) {
                // a replica (or proxy) that does not answer: the others tell
            }
        }
    }

    private void noteEpoch(long epoch) {
        if (epoch != lastEpoch) {
            lastEpoch = epoch;
            lastEpochChange = History.now();
        }
    }


    private long deleteDeadline(long killed) {
        return Math.max(killed, lastEpochChange) + maxLease.toNanos() + DELETE_MARGIN.toNanos();
    }

    /** WORKDIR/ephemeral-holder-N.log: the holder's output, for reading an anomaly. */
    private void saveOutput(int n, StringBuilder output) {
        try {
            synchronized (output) {
                java.nio.file.Files.writeString(workDir.resolve("ephemeral-holder-" + n + ".log"), output);
            }
        } catch (IOException e) {
            log.warn("cannot save holder output n={} error={}", n, e.toString());
        }
    }

    private static boolean holding(StringBuilder output) {
        synchronized (output) {
            return output.indexOf("holding ephemeral") >= 0;
        }
    }

    private static String oneLine(StringBuilder output) {
        synchronized (output) {
            String s = output.toString().replace('\n', '|');
            return s.length() > 600 ? s.substring(s.length() - 600) : s;
        }
    }

    /** Copies the child's output (it would block on a full pipe otherwise). */
    private static Thread pump(Process child, StringBuilder output) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the child was killed
            }
        }, "faults-ephemeral-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Whether the file exists, through the observer's session (cached); null when it could not be asked. */
    private Boolean exists(String path) {
        try {
            if (observer == null) {
                observer = ChubbyClient.connect(options);
            }
            boolean exists = observer.exists(path);
            noteEpoch(observer.masterInfo().epoch());
            return exists;
        } catch (RuntimeException e) {
            log.info("ephemeral observer read failed path={} error={}", path, e.toString());
            closeObserver();
            return null;
        }
    }

    private void closeObserver() {
        if (observer != null) {
            try {
                observer.close();
            } catch (RuntimeException e) {
                log.debug("close failed", e);
            }
            observer = null;
        }
    }
}
