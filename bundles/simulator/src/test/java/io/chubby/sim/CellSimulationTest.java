package io.chubby.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole-cell simulation (real session-mgr cell edge on the Paxos core, simulated clients)
 * over many seeds. A failure names its seed; replay it with
 * {@code mvn -o -pl bundles/simulator test -Dtest=CellSimulationTest -Dcellsim.seed=N -Dcellsim.replicas=R
 * -Dcellsim.clients=C} (add {@code -Dcellsim.trace=true} for an event trace).
 *
 * <p>Seeds run on {@code cellsim.workers} threads (2 by default, the CI machine's cores): a run is a
 * pure function of its seed (its own generators, virtual clock and replicas; the only static state
 * it touches is {@link PlantedBug}'s switches, all off here, which {@code PlantedBugsTest} sets
 * single-threaded). The totals are sums, so they do not depend on the order seeds finish in; a
 * failure reported is that of the lowest failing seed.
 */
class CellSimulationTest {
    private static final int SEEDS = Integer.getInteger("cellsim.seeds", 2000);
    private static final int WORKERS = Integer.getInteger("cellsim.workers", 2);

    /** One seed's result and the CPU time of the thread that ran it. */
    private record Run(CellSimulation.Result result, long cpuNanos) {
    }

    @Test
    void manySeedsKeepEveryCellInvariant() {
        Long only = Long.getLong("cellsim.seed");
        if (only != null) {
            System.out.println(new CellSimulation(only, Integer.getInteger("cellsim.replicas", 5),
                    Integer.getInteger("cellsim.clients", 4), Boolean.getBoolean("cellsim.trace"),
                    PlantedBug.valueOf(System.getProperty("cellsim.bug", "NONE"))).run());
            return;
        }
        long t0 = System.nanoTime();
        long first = Long.getLong("cellsim.first", 1);
        long events = 0;
        long reads = 0;
        long cached = 0;
        long writes = 0;
        long grants = 0;
        long seqChecks = 0;
        long masterships = 0;
        long crashes = 0;
        long snapshots = 0;
        long expired = 0;
        long silentClients = 0;
        long drops = 0;
        long longestWait = 0;
        long aclSeeds = 0;
        long aclDenials = 0;
        long aclGuardRefusals = 0;
        long cpuNanos = 0;
        long[] partitionSeeds = new long[5];
        long mkdirs = 0;
        long rmdirs = 0;
        long notEmpty = 0;
        long fileCreates = 0;
        long fileDeletes = 0;
        long crossCalls = 0;
        long aclCopies = 0;
        long aclGatedElsewhere = 0;
        long ephemeralOpens = 0;
        long ephemeralCloses = 0;
        long sessionsLetGo = 0;
        long ephemeralChildren = 0;
        long ephemeralsReaped = 0;
        long lapsesKeeping = 0;
        long keptProposals = 0;
        for (Run run : runAll(first)) {
            CellSimulation.Result r = run.result();
            cpuNanos += run.cpuNanos();
            events += r.events();
            reads += r.reads();
            cached += r.cachedReads();
            writes += r.writes();
            grants += r.lockGrants();
            seqChecks += r.sequencerChecks();
            masterships += r.masterships();
            crashes += r.crashes();
            snapshots += r.snapshots();
            expired += r.sessionsExpired();
            silentClients += r.nonAcknowledging();
            drops += r.cacheDrops();
            longestWait = Math.max(longestWait, r.longestHolderWaitMillis());
            aclSeeds += r.acl() ? 1 : 0;
            aclDenials += r.aclDenials();
            aclGuardRefusals += r.aclGuardRefusals();
            partitionSeeds[r.partitions()]++;
            mkdirs += r.mkdirs();
            rmdirs += r.rmdirs();
            notEmpty += r.rmdirsNotEmpty();
            fileCreates += r.fileCreates();
            fileDeletes += r.fileDeletes();
            crossCalls += r.crossCalls();
            aclCopies += r.aclCopies();
            aclGatedElsewhere += r.aclGatedElsewhere();
            ephemeralOpens += r.ephemeralDirOpens();
            ephemeralCloses += r.ephemeralDirCloses();
            sessionsLetGo += r.sessionsLetGo();
            ephemeralChildren += r.ephemeralDirChildren();
            ephemeralsReaped += r.ephemeralDirsReaped();
            lapsesKeeping += r.lapsesKeepingProposals();
            keptProposals += r.proposalsKeptAcrossLapses();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("whole-cell workers=%d cpu=%d ms events-per-cpu-second=%d seeds-per-second=%.1f%n",
                WORKERS, cpuNanos / 1_000_000, cpuNanos == 0 ? 0 : events * 1_000_000_000L / cpuNanos,
                SEEDS * 1000.0 / Math.max(1, ms));
        System.out.printf("whole-cell seeds=%d (from %d) events=%d reads=%d cached-reads=%d writes=%d lock-grants=%d"
                        + " sequencer-checks=%d masterships=%d crashes=%d snapshots=%d sessions-expired=%d"
                        + " non-acknowledging-clients=%d cache-drops=%d longest-holder-wait=%d ms (bound %d + the master's own pauses)"
                        + " acl-seeds=%d acl-denials=%d acl-guard-refusals=%d in %d ms%n",
                SEEDS, first, events, reads, cached, writes, grants, seqChecks, masterships, crashes, snapshots,
                expired, silentClients, drops, longestWait, CellSimulation.HOLDER_WAIT_BOUND_MS, aclSeeds, aclDenials,
                aclGuardRefusals, ms);
        System.out.printf("whole-cell partitions: seeds n=1 %d, n=2 %d, n=4 %d; directory workload: mkdirs=%d rmdirs=%d"
                        + " rmdirs-not-empty=%d file-creates=%d file-deletes=%d cross-calls=%d; acl-copies-applied=%d"
                        + " acl-gated-elsewhere=%d; ephemeral directories: opens=%d closes=%d sessions-let-end=%d"
                        + " children=%d reaped=%d%n",
                partitionSeeds[1], partitionSeeds[2], partitionSeeds[4], mkdirs, rmdirs, notEmpty, fileCreates,
                fileDeletes, crossCalls, aclCopies, aclGatedElsewhere, ephemeralOpens, ephemeralCloses, sessionsLetGo,
                ephemeralChildren, ephemeralsReaped);
        System.out.printf("whole-cell lapses at the same epoch that kept pending proposals=%d (proposals kept=%d)%n",
                lapsesKeeping, keptProposals);
        if (partitionSeeds[2] + partitionSeeds[4] > SEEDS / 10) {
            assertTrue(mkdirs > 0 && rmdirs > 0 && notEmpty > 0 && fileCreates > 0 && fileDeletes > 0 && crossCalls > 0,
                    "the directory workload ran: directories made and deleted across partitions, deletes refused NOT_EMPTY");
            assertTrue(aclCopies > 0 && aclGatedElsewhere > 0, "ACL copies were applied in the groups other than A"
                    + " and calls decided on them were applied there");
            assertTrue(ephemeralOpens > 0 && ephemeralCloses > 0 && sessionsLetGo > 0 && ephemeralChildren > 0
                    && ephemeralsReaped > 0, "ephemeral directories were opened, closed, left to their sessions' ends,"
                    + " given children and reaped");
        }
        assertTrue(reads > SEEDS && writes > SEEDS && grants > SEEDS && cached > 0 && seqChecks > 0,
                "the workload ran");
        assertTrue(crashes > SEEDS / 2 && masterships > SEEDS, "the faults were exercised");
        assertTrue(lapsesKeeping > SEEDS / 10 && keptProposals >= lapsesKeeping,
                "masters' leases lapsed and came back at the same epoch with proposals pending, which they kept");
        assertTrue(silentClients > SEEDS / 5 && drops > 0, "clients that never acknowledge ran and lost their claims");
        assertTrue(aclSeeds > SEEDS / 4 && aclDenials > 0 && aclGuardRefusals > 0,
                "access control ran: calls were denied and admissions whose ACL moved on were refused at apply");
    }

    /** Runs seeds {@code first .. first + SEEDS - 1} on {@link #WORKERS} threads; results in seed order. */
    private static List<Run> runAll(long first) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "cellsim-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (int i = 0; i < SEEDS; i++) {
                long seed = first + i;
                futures.add(pool.submit(() -> {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    int replicas = seed % 3 == 0 ? 5 : 3;
                    int clients = 3 + (int) (seed % 3);
                    CellSimulation.Result r = new CellSimulation(seed, replicas, clients, false).run();
                    return new Run(r, threads.getCurrentThreadCpuTime() - cpu0);
                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> f : futures) {
                runs.add(f.get());
            }
            return runs;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err; // the seed's AssertionError, naming it and how to replay it
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
