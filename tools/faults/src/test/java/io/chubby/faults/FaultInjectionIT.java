package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import io.chubby.sim.check.LockModel;
import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounded fault-injection run of CI: a 5-replica cell of real processes (distribution, -Xmx256m
 * each), 4 client sessions doing CAS increments, blind writes and reads on 3 register files,
 * and the nemesis (kill -9 of master and followers, SIGSTOP of the master past its lease,
 * partitions, one-way loss, slow links, clients cut off the master) for a fixed seed; then heal,
 * final reads, convergence of applied index and checksum, linearizability of every key and
 * monotonic epochs. Zero anomalies required. The distribution comes from the system property
 * {@code chubby.dist} (set by this module's pom to distribution/target/chubby).
 */
class FaultInjectionIT {
    private static final long SEED = 20261122L;
    private static final Duration WORKLOAD = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 240)
    void noAnomaliesUnderFaults() throws Exception {
        runAndCheck(SEED, "faults-it-", settings -> settings, WORKLOAD);
    }

    /**
     * One run with {@code adjust}ed default settings in target/PREFIX+SEED, its summary printed,
     * the checker shown to catch anomalies injected into its real history, enough of every
     * workload, and zero anomalies. Returns the summary for further checks.
     */
    static RunSummary runAndCheck(long seed, String prefix, java.util.function.UnaryOperator<FaultRun.Settings> adjust,
                                  Duration workload) throws Exception {
        Path dist = Path.of(System.getProperty("chubby.dist", "../../distribution/target/chubby")).toAbsolutePath();
        assertTrue(Files.isExecutable(dist.resolve("bin/chubby-server")),
                "the distribution is not assembled at " + dist + ": run mvn -pl distribution package -DskipTests");
        Path work = Path.of("target", prefix + seed).toAbsolutePath();
        deleteTree(work);
        FaultRun.Settings settings = adjust.apply(FaultRun.Settings.defaults(seed, workload, dist, work));
        FaultRun run = new FaultRun(settings);
        RunSummary summary = run.run();
        System.out.print(summary.report());
        checkerCatchesAStaleReadInjectedIntoThisHistory(run.history());
        checkerCatchesAStaleLockWriteInjectedIntoThisHistory(run.history(), settings.lockPath());
        Map<String, Integer> events = summary.events();
        assertTrue(events.getOrDefault("lock-acquired", 0) >= 10, "too few lock acquisitions: " + events);
        assertTrue(events.getOrDefault("protected-write-accepted", 0) >= 10, "too few protected writes: " + events);
        assertTrue(events.getOrDefault("ephemeral-seen-while-held", 0) >= 3, "ephemeral files not watched: " + events);
        assertTrue(events.getOrDefault("ephemeral-deleted", 0) >= 1, "no ephemeral deletion seen: " + events);
        assertTrue(summary.faults() >= 5, "the nemesis injected only " + summary.faults() + " faults: " + summary.line());
        assertTrue(summary.ok() > 100, "too few operations succeeded to mean anything: " + summary.line());
        assertEquals(List.of(), summary.anomalies(), summary.line() + "\njournal: " + work.resolve("faults.log")
                + "\nreplica logs: " + work + "/replica-*/log/");
        return summary;
    }

    /**
     * The pipeline can fail on real data: a read, after everything else, of an acknowledged value
     * that was later overwritten must make the checker report that key.
     */
    private static void checkerCatchesAStaleReadInjectedIntoThisHistory(History recorded) {
        Map.Entry<String, List<Operation>> key = recorded.byKey().entrySet().iterator().next();
        List<Operation> ops = key.getValue();
        Operation fin = ops.get(ops.size() - 1);
        Long stale = null;
        for (Operation op : ops) {
            if (op.known() && op.input() instanceof RegisterModel.Write w && !Long.valueOf(w.value()).equals(fin.output())) {
                stale = w.value();
                break;
            }
        }
        assertTrue(stale != null, "no acknowledged write to make stale in " + key.getKey());
        History tampered = new History();
        for (Operation op : ops) {
            if (op.known()) {
                tampered.completed(key.getKey(), op.client(), op.invoke(), op.complete(), op.input(), op.output());
            } else {
                tampered.unknown(key.getKey(), op.client(), op.invoke(), op.input());
            }
        }
        tampered.completed(key.getKey(), 250, fin.complete() + 1, fin.complete() + 2, new RegisterModel.Read(), stale);
        List<String> found = new HistoryChecks(Duration.ofSeconds(30)).check(tampered);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("not-linearizable key=" + key.getKey()), found.get(0));
    }

    /**
     * The lock pipeline can fail on real data too: a protected write accepted with the first
     * generation after everything else (so after a newer Acquire completed) must be reported.
     */
    private static void checkerCatchesAStaleLockWriteInjectedIntoThisHistory(History recorded, String lockPath) {
        String key = LockWorker.historyKey(lockPath);
        List<Operation> ops = recorded.byKey().get(key);
        assertTrue(ops != null && !ops.isEmpty(), "no lock operations recorded");
        Long first = null;
        long last = 0;
        for (Operation op : ops) {
            if (op.known() && op.input() instanceof LockModel.Acquire && first == null) {
                first = (Long) op.output();
            }
            last = Math.max(last, op.known() ? op.complete() : op.invoke());
        }
        assertTrue(first != null, "no answered Acquire in " + key);
        History tampered = new History();
        for (Operation op : ops) {
            if (op.known()) {
                tampered.completed(key, op.client(), op.invoke(), op.complete(), op.input(), op.output());
            } else {
                tampered.unknown(key, op.client(), op.invoke(), op.input());
            }
        }
        tampered.completed(key, 250, last + 1, last + 2, new LockModel.Acquire(), Long.MAX_VALUE - 1);
        tampered.completed(key, 251, last + 3, last + 4, new LockModel.ProtectedWrite(first, 1), true);
        List<String> found = new HistoryChecks(Duration.ofSeconds(30)).check(tampered);
        assertTrue(found.stream().anyMatch(a -> a.startsWith("stale-write-accepted key=" + key)), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("not-linearizable key=" + key)), found.toString());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
