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
        Path dist = Path.of(System.getProperty("chubby.dist", "../../distribution/target/chubby")).toAbsolutePath();
        assertTrue(Files.isExecutable(dist.resolve("bin/chubby-server")),
                "the distribution is not assembled at " + dist + ": run mvn -pl distribution package -DskipTests");
        Path work = Path.of("target", "faults-it-" + SEED).toAbsolutePath();
        deleteTree(work);
        FaultRun run = new FaultRun(FaultRun.Settings.defaults(SEED, WORKLOAD, dist, work));
        RunSummary summary = run.run();
        System.out.print(summary.report());
        checkerCatchesAStaleReadInjectedIntoThisHistory(run.history());
        assertTrue(summary.faults() >= 5, "the nemesis injected only " + summary.faults() + " faults: " + summary.line());
        assertTrue(summary.ok() > 100, "too few operations succeeded to mean anything: " + summary.line());
        assertEquals(List.of(), summary.anomalies(), summary.line() + "\njournal: " + work.resolve("faults.log")
                + "\nreplica logs: " + work + "/replica-*/log/");
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
