package io.chubby.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Workloads 6 (sessions) and 9 (one file, many readers), written once over {@link SessionPool}; 8 is {@link FanOut}. */
final class SessionWorkloads {
    private SessionWorkloads() {
    }

    /** 6a. Create + close pairs, {@code window} in flight, for {@code millis}. */
    static Result churn(SystemUnderTest sut, int window, long millis) throws Exception {
        try (SessionPool pool = sut.sessions()) {
            return ReadLockWorkloads.windowed("6a. session create+close, " + window + " in flight", sut.name(), window, millis,
                    i -> pool.create().thenCompose(pool::end));
        }
    }

    /**
     * 6b. Creates {@code count} sessions ({@code window} creations in flight), keeps them all alive
     * for {@code holdMillis}, and reports the KeepAlive rate, the master's CPU over the hold and the
     * sessions that expired. Throughput and latency columns: session creation.
     */
    static Result hold(SystemUnderTest sut, int count, int window, long holdMillis) throws Exception {
        String name = "6b. sessions held: " + count;
        try (SessionPool pool = sut.sessions()) {
            List<Object> sessions = Collections.synchronizedList(new ArrayList<>());
            Stats create = new Stats();
            Semaphore permits = new Semaphore(window);
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicLong failed = new AtomicLong();
            long c0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
                    // a client library that stopped answering (seen once with jetcd: its event loop
                    // blocked for minutes) must not hang the whole run
                    failed.addAndGet(count - i);
                    error.compareAndSet(null, new TimeoutException("no session created in 60 s; "
                            + (count - i) + " not attempted"));
                    break;
                }
                long t = System.nanoTime();
                pool.create().whenComplete((s, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        error.compareAndSet(null, e);
                    } else {
                        create.add(System.nanoTime() - t);
                        pool.keepAlive(s);
                        sessions.add(s);
                    }
                    permits.release();
                });
            }
            permits.tryAcquire(window, 120, TimeUnit.SECONDS);
            double createSecs = (System.nanoTime() - c0) / 1e9;
            long pid = sut.leaderPid();
            double cpu0 = Procs.cpuSeconds(pid);
            long ka0 = pool.keepAlivesAnswered();
            pool.holdStarted();
            long h0 = System.nanoTime();
            Procs.sleep(holdMillis);
            double holdSecs = (System.nanoTime() - h0) / 1e9;
            double cpu = (Procs.cpuSeconds(pid) - cpu0) / holdSecs * 100;
            long ka = pool.keepAlivesAnswered();
            String kaRate = ka < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f/s", (ka - ka0) / holdSecs);
            String note = String.format(Locale.ROOT,
                    "%d created (%.0f/s), %d failed; held %.0f s: expired %d, other errors %d, KeepAlives %s, "
                            + "master CPU %.1f%% of one core; %s",
                    sessions.size(), sessions.size() / createSecs, failed.get(), holdSecs, pool.expired(), pool.otherErrors(),
                    kaRate, cpu, pool.describe());
            if (error.get() != null) {
                note += "; first error: " + error.get();
            }
            return new Result(name, sut.name(), sessions.size() / createSecs, create.percentileMs(50),
                    create.percentileMs(99), create.maxMs(), create.count(), note);
        }
    }

    /**
     * 9. One file read over and over by {@code readers} sessions at once (each reads again as soon as
     * its read is answered) for {@code millis}. Throughput: reads/s answered; latency: one read.
     * The note gives what reached the replicated core ({@link SessionPool#cellReadsNote}): for Chubby
     * the reads the cell itself served (through proxies: their cache misses and pass-through reads;
     * a direct raw session has no client cache, so there the cell serves all), for etcd the members'
     * Range calls, for ZooKeeper the client packets the voters received.
     */
    static Result hotFile(SystemUnderTest sut, int readers, long millis) throws Exception {
        return hotFile(sut, readers, millis, "");
    }

    /** 9. as above; {@code kind} (e.g. " (serializable)") is added to the workload's name. */
    static Result hotFile(SystemUnderTest sut, int readers, long millis, String kind) throws Exception {
        String name = "9. one file read by " + readers + " sessions" + kind;
        try (SessionPool pool = sut.sessions(); KvClient writer = sut.newClient()) {
            writer.prepare("bench-hot");
            writer.write("bench-hot", Workloads.VALUE);
            List<Object[]> open = Collections.synchronizedList(new ArrayList<>());
            Semaphore permits = new Semaphore(200);
            List<CompletableFuture<Void>> opening = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                permits.acquire();
                CompletableFuture<Void> f = pool.create().thenCompose(s -> {
                    pool.keepAlive(s);
                    return pool.openForRead(s, "bench-hot").thenAccept(h -> open.add(new Object[] {s, h}));
                });
                f.whenComplete((v, e) -> permits.release());
                opening.add(f);
            }
            CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            Stats stats = new Stats();
            AtomicLong failed = new AtomicLong();
            long cell0 = pool.cellReads();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            CountDownLatch done = new CountDownLatch(open.size());
            long t0 = System.nanoTime();
            for (Object[] r : open) {
                readLoop(pool, r[0], r[1], end, stats, failed, done);
            }
            done.await(millis + 60_000, TimeUnit.MILLISECONDS);
            double secs = (System.nanoTime() - t0) / 1e9;
            long cell = pool.cellReads();
            String served = cell < 0 || cell0 < 0 ? "every read served by the master (raw sessions have no client cache)"
                    : pool.cellReadsNote(cell - cell0, secs);
            return new Result(name, sut.name(), stats.count() / secs, stats.percentileMs(50), stats.percentileMs(99),
                    stats.maxMs(), stats.count(), String.format(Locale.ROOT, "%d readers, %d reads in %.0f s (%d failed); %s; %s",
                            open.size(), stats.count(), secs, failed.get(), served, pool.describe()));
        }
    }

    private static void readLoop(SessionPool pool, Object session, Object opened, long end, Stats stats, AtomicLong failed,
                                 CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long t = System.nanoTime();
        pool.read(session, opened).whenComplete((v, e) -> {
            if (e != null) {
                failed.incrementAndGet();
            } else {
                stats.add(System.nanoTime() - t);
            }
            readLoop(pool, session, opened, end, stats, failed, done);
        });
    }
}
