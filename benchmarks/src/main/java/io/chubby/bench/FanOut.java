package io.chubby.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workload 8, event fan-out (issue 21): {@code watchers} sessions, then {@value #EVENTS} events. Per
 * event every session arms a watch on a key of its own for that event ({@code bench-fan-E}: the
 * watches of earlier events see no further writes, so no system pays for stale ones), every system
 * gets the same second to settle its watches, one write, and the event is awaited by every watcher
 * (60 s at most) before the next. Latency = from the write call to each session's event; p50, p99 and
 * max are over all deliveries of all events.
 */
final class FanOut {
    /** Events per size: one event is one sample of the slowest delivery. */
    static final int EVENTS = 5;

    /**
     * ZooKeeper's sessions here are one client object each (a connection and 2 threads): at most
     * 6b's full size.
     */
    static final int ZK_WATCHERS = 1000;

    private FanOut() {
    }

    /**
     * Workload 8 once per size, on a system that holds at most {@code cap} sessions here
     * ({@link #ZK_WATCHERS} for ZooKeeper): see {@link #sessionsToRun}; a size run at the cap says
     * so in its note, a size not measured gets a row saying why.
     */
    static List<Result> runSizes(SystemUnderTest sut, int[] sizes, int cap) throws Exception {
        int[] run = sessionsToRun(sizes, cap);
        String limit = sut.name() + ": at most " + cap
                + " sessions in this harness (one client object, a connection and 2 threads, per session; see 6b)";
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            if (run[i] == sizes[i]) {
                out.add(run(sut, sizes[i]));
            } else if (run[i] == 0) {
                out.add(new Result(name(sizes[i]), sut.name(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                        "not measured: " + limit + "; see the " + cap + " row"));
            } else {
                out.add(run(sut, run[i], name(run[i]), sizes[i] + " requested; " + limit + "; "));
            }
        }
        return out;
    }

    /**
     * How many sessions each requested size runs with on a system that holds at most {@code cap}:
     * the size itself up to the cap; above it, {@code cap} for the first size at or above the cap,
     * and 0 (not measured, the cap's row stands for it) for every later one.
     */
    static int[] sessionsToRun(int[] sizes, int cap) {
        int[] run = new int[sizes.length];
        boolean ranAtCap = false;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < cap) {
                run[i] = sizes[i];
            } else {
                run[i] = ranAtCap ? 0 : cap;
                ranAtCap = true;
            }
        }
        return run;
    }

    static Result run(SystemUnderTest sut, int watchers) throws Exception {
        return run(sut, watchers, name(watchers), "");
    }

    /** As above under the row name {@code name}; {@code prefix} opens the note (e.g. why the size was capped). */
    static Result run(SystemUnderTest sut, int watchers, String name, String prefix) throws Exception {
        try (SessionPool pool = sut.sessions(); KvClient writer = sut.newClient()) {
            for (int e = 0; e < EVENTS; e++) {
                writer.prepare(key(e));
                writer.write(key(e), Workloads.VALUE);
            }
            long budget = Math.max(120, watchers / 20);
            List<Object> sessions = Collections.synchronizedList(new ArrayList<>());
            inParallel(watchers, budget, i -> pool.create().thenAccept(s -> {
                pool.keepAlive(s);
                sessions.add(s);
            }));
            Stats s = new Stats();
            int everyWatcher = 0;
            for (int e = 0; e < EVENTS; e++) {
                String key = key(e);
                CountDownLatch all = new CountDownLatch(sessions.size());
                AtomicLong t0 = new AtomicLong();
                inParallel(sessions.size(), budget, i -> pool.watch(sessions.get(i), key, () -> {
                    s.add(System.nanoTime() - t0.get());
                    all.countDown();
                }));
                Procs.sleep(1000); // every system gets the same second to settle its watches
                t0.set(System.nanoTime());
                writer.write(key, new byte[100]);
                if (all.await(60, TimeUnit.SECONDS)) {
                    everyWatcher++;
                }
            }
            String note = String.format(Locale.ROOT,
                    "%s%d events x %d watchers, a second apart: %d of %d deliveries, %d of %d events reached every watcher; "
                            + "p50/p99/max over all deliveries; %s",
                    prefix, EVENTS, sessions.size(), s.count(), EVENTS * sessions.size(), everyWatcher, EVENTS, pool.describe());
            return new Result(name, sut.name(), Double.NaN, s.percentileMs(50), s.percentileMs(99), s.maxMs(), s.count(),
                    note);
        }
    }

    private static String name(int watchers) {
        return "8. event fan-out to " + watchers + " sessions";
    }

    private static String key(int event) {
        return "bench-fan-" + event;
    }

    /** Starts {@code op(0..n-1)} with 100 in flight and waits up to {@code seconds} for all. */
    private static void inParallel(int n, long seconds, java.util.function.IntFunction<CompletableFuture<?>> op)
            throws Exception {
        List<CompletableFuture<?>> started = new ArrayList<>();
        Semaphore permits = new Semaphore(100);
        for (int i = 0; i < n; i++) {
            permits.acquire();
            CompletableFuture<?> f = op.apply(i);
            f.whenComplete((v, e) -> permits.release());
            started.add(f);
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(seconds, TimeUnit.SECONDS);
    }
}
