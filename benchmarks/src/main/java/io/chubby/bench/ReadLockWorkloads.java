package io.chubby.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/** Workloads 3 (reads), 4 and 5 (locks), written once and run against every system. */
final class ReadLockWorkloads {
    /** Keeps the JIT from discarding the cached reads. */
    static volatile long blackhole;

    private ReadLockWorkloads() {
    }

    /**
     * Keeps {@code window} operations in flight for {@code millis} after a warm-up; throughput over
     * the measured part, latency of each measured operation.
     */
    static Result windowed(String workload, String system, int window, long millis, IntFunction<CompletableFuture<?>> op)
            throws InterruptedException {
        return windowed(workload, system, window, millis, op, null);
    }

    /**
     * As above; with {@code cpuOf} not null, also the CPU per completed operation of that system's
     * members ({@link CpuMeter}) from the start of the measured part until every operation completed.
     */
    static Result windowed(String workload, String system, int window, long millis, IntFunction<CompletableFuture<?>> op,
                           SystemUnderTest cpuOf) throws InterruptedException {
        CpuMeter cpu = null;
        Semaphore permits = new Semaphore(window);
        Stats s = new Stats();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        long warmEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(2000, millis / 4));
        long end = warmEnd + TimeUnit.MILLISECONDS.toNanos(millis);
        long measuredStart = 0;
        int i = 0;
        while (System.nanoTime() < end) {
            permits.acquire();
            long t = System.nanoTime();
            if (measuredStart == 0 && t >= warmEnd) {
                measuredStart = t;
                done.set(0);
                cpu = cpuOf == null ? null : CpuMeter.start(cpuOf);
            }
            boolean measure = t >= warmEnd;
            CompletableFuture<?> f;
            try {
                f = op.apply(i++);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, e) -> {
                permits.release();
                if (e != null) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, e);
                } else {
                    done.incrementAndGet();
                    if (measure) {
                        s.add(System.nanoTime() - t);
                    }
                }
            });
        }
        if (!permits.tryAcquire(window, 60, TimeUnit.SECONDS)) {
            failed.addAndGet(window - permits.availablePermits());
        }
        double secs = (System.nanoTime() - measuredStart) / 1e9;
        Result r = new Result(workload, system, done.get() / secs, s.percentileMs(50), s.percentileMs(99), s.maxMs(),
                s.count(), failed.get() == 0 ? "" : failed.get() + " failed, first: " + firstError.get());
        return cpu == null ? r : r.withCpu(cpu.stop(done.get()));
    }

    /** 3a. Reads answered by the master / leader, {@code window} in flight from one client. */
    static Result uncachedReads(SystemUnderTest sut, int window, long millis) throws Exception {
        try (KvClient c = sut.newClient()) {
            c.prepare("bench-read");
            c.write("bench-read", Workloads.VALUE);
            c.readAsync("bench-read").get(20, TimeUnit.SECONDS);
            return windowed("3a. uncached reads at the master, " + window + " in flight", sut.name(), window, millis,
                    i -> c.readAsync("bench-read"));
        }
    }

    /** 3b. Reads served by the client's consistent cache, one thread. */
    static Result cachedReads(SystemUnderTest sut, long millis) throws Exception {
        String name = "3b. cached reads in the client (1 thread)";
        try (KvClient c = sut.newClient()) {
            c.prepare("bench-read");
            c.write("bench-read", Workloads.VALUE);
            try {
                c.cachedRead("bench-read");
            } catch (UnsupportedOperationException e) {
                return new Result(name, sut.name(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                        "not applicable: " + e.getMessage());
            }
            long warm = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < warm) {
                c.cachedRead("bench-read");
            }
            // throughput without per-call timing (the clock costs as much as a cache hit)
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
            long sink = 0;
            while (true) {
                for (int k = 0; k < 1000; k++) {
                    sink += c.cachedRead("bench-read").length;
                }
                n += 1000;
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            blackhole = sink;
            Stats s = new Stats();
            for (int k = 0; k < 100_000; k++) {
                long t = System.nanoTime();
                sink += c.cachedRead("bench-read").length;
                s.add(System.nanoTime() - t);
            }
            return new Result(name, sut.name(), n / secs, s.percentileMs(50), s.percentileMs(99), s.maxMs(), (int) Math.min(n,
                    Integer.MAX_VALUE), "latency from 100,000 individually timed calls" + (sink == 1 ? "" : ""));
        }
    }

    /** 4. One client, one lock: Acquire + Release pairs, one at a time. */
    static Result uncontendedLocks(SystemUnderTest sut, int warmup, int count) throws Exception {
        String name = "4. uncontended lock acquire+release pairs";
        try (KvClient c = sut.newClient()) {
            KvClient.DistLock l = c.lock("bench-lock-solo");
            for (int i = 0; i < warmup; i++) {
                l.acquire();
                l.release();
            }
            Stats s = new Stats();
            CpuMeter cpu = CpuMeter.start(sut);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                l.acquire();
                l.release();
                s.add(System.nanoTime() - t);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(name, sut.name(), count / secs, s.percentileMs(50), s.percentileMs(99), s.maxMs(), count, "")
                    .withCpu(cpu.stop(count));
        }
    }

    /**
     * 5. {@code contenders} sessions (one client each, one thread each) take turns on one lock for
     * {@code millis}: throughput = hand-offs per second, latency = time from Acquire to granted.
     */
    static Result contendedLocks(SystemUnderTest sut, int contenders, long millis) throws Exception {
        String name = "5. contended lock hand-off, " + contenders + " sessions";
        List<KvClient> clients = new ArrayList<>();
        List<KvClient.DistLock> locks = new ArrayList<>();
        try {
            for (int i = 0; i < contenders; i++) {
                KvClient c = sut.newClient();
                clients.add(c);
                locks.add(c.lock("bench-lock-shared"));
            }
            Stats s = new Stats();
            AtomicLong handoffs = new AtomicLong();
            AtomicReference<Throwable> error = new AtomicReference<>();
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.MILLISECONDS.toNanos(millis);
            List<Thread> threads = new ArrayList<>();
            for (KvClient.DistLock l : locks) {
                Thread t = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            long a = System.nanoTime();
                            l.acquire();
                            s.add(System.nanoTime() - a);
                            handoffs.incrementAndGet();
                            l.release();
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }, "contender");
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.MILLISECONDS.toMillis(millis) + 120_000);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(name, sut.name(), handoffs.get() / secs, s.percentileMs(50), s.percentileMs(99), s.maxMs(),
                    s.count(), error.get() == null ? "latency = wait for the grant" : "error: " + error.get());
        } finally {
            clients.forEach(KvClient::close);
        }
    }
}
