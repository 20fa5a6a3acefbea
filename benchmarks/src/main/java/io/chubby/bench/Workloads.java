package io.chubby.bench;

import java.util.concurrent.TimeUnit;

/** The workloads, written once and run against every system. */
final class Workloads {
    static final byte[] VALUE = new byte[100];

    private Workloads() {
    }

    /** One client, one 100-byte write at a time. */
    static Result sequentialWrites(SystemUnderTest sut, int warmup, int count) throws Exception {
        try (KvClient c = sut.newClient()) {
            c.prepare("bench-seq");
            for (int i = 0; i < warmup; i++) {
                c.write("bench-seq", VALUE);
            }
            Stats s = new Stats();
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                c.write("bench-seq", VALUE);
                s.add(System.nanoTime() - t);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result("1. sequential 100-byte writes", sut.name(), count / secs, s.percentileMs(50),
                    s.percentileMs(99), s.maxMs(), count, "");
        }
    }

    /** Many writes in flight from one client: a window of {@code window} outstanding async writes. */
    static Result inFlightWrites(SystemUnderTest sut, int window, int keys, long millis) throws Exception {
        try (KvClient c = sut.newClient()) {
            for (int k = 0; k < keys; k++) {
                c.prepare("bench-par-" + k);
            }
            return ReadLockWorkloads.windowed("2. writes, " + window + " in flight", sut.name(), window, millis,
                    i -> c.writeAsync("bench-par-" + (i % keys), VALUE));
        }
    }

    /**
     * Failover: a client writes in a loop; the master / leader is killed with SIGKILL; the time from
     * the kill to the next acknowledged write is one sample. The killed member is restarted between
     * repetitions.
     */
    static Result failover(SystemUnderTest sut, int reps) throws Exception {
        Stats s = new Stats();
        int errors = 0;
        for (int r = 0; r < reps; r++) {
            try (KvClient c = sut.newClient()) {
                c.prepare("bench-failover");
                for (int i = 0; i < 20; i++) {
                    c.write("bench-failover", VALUE);
                }
                long pid = sut.leaderPid();
                long killedAt = System.nanoTime();
                Procs.kill9(pid);
                long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        c.write("bench-failover", VALUE);
                        s.add(System.nanoTime() - killedAt);
                        break;
                    } catch (Exception e) {
                        errors++;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(sut.name() + ": no write succeeded 60 s after the kill", e);
                        }
                        Procs.sleep(5);
                    }
                }
            }
            sut.restartStopped();
            Procs.sleep(3000); // let the restarted member catch up before the next kill
        }
        return new Result("7. failover: kill -9 master, time to next write", sut.name(), Double.NaN,
                s.percentileMs(50), s.percentileMs(99), s.maxMs(), s.count(), errors + " failed writes while electing");
    }
}
