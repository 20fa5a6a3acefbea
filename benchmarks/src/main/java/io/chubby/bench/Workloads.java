package io.chubby.bench;

import java.util.List;
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
            CpuMeter cpu = CpuMeter.start(sut);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long t = System.nanoTime();
                c.write("bench-seq", VALUE);
                s.add(System.nanoTime() - t);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result("1. sequential 100-byte writes", sut.name(), count / secs, s.percentileMs(50),
                    s.percentileMs(99), s.maxMs(), count, "").withCpu(cpu.stop(count));
        }
    }

    /**
     * Warm-up, the same for every system and not measured: each system here runs on the JVM
     * (ZooKeeper, Chubby) or is a Go binary (etcd), and a freshly started JVM spends its first tens of
     * seconds of CPU compiling (on 2 cores shared by 5 members that is most of the machine). Writes
     * with 100 in flight, sequential writes, reads and lock pairs, each for a quarter of
     * {@code millis}, so every measured path is compiled before the first measured operation.
     *
     * @return a one-line account: operations done and failed per part
     */
    static String warmUp(SystemUnderTest sut, long millis) throws Exception {
        long part = millis / 4;
        StringBuilder out = new StringBuilder();
        try (KvClient c = sut.newClient()) {
            for (int k = 0; k < 10; k++) {
                c.prepare("bench-warm-" + k);
            }
            Result w = ReadLockWorkloads.windowed("warm-up writes", sut.name(), 100, part,
                    i -> c.writeAsync("bench-warm-" + (i % 10), VALUE));
            out.append(String.format(java.util.Locale.ROOT, "writes in flight %d (%s)", w.samples(),
                    w.note().isEmpty() ? "0 failed" : w.note()));
            int seq = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(part);
            while (System.nanoTime() < end) {
                c.write("bench-warm-0", VALUE);
                seq++;
            }
            out.append(", sequential writes ").append(seq);
            Result r = ReadLockWorkloads.windowed("warm-up reads", sut.name(), 100, part,
                    i -> c.readAsync("bench-warm-" + (i % 10)));
            out.append(", reads ").append(r.samples());
            KvClient.DistLock lock = c.lock("bench-warm-lock");
            int pairs = 0;
            end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(part);
            while (System.nanoTime() < end) {
                lock.acquire();
                lock.release();
                pairs++;
            }
            out.append(", lock pairs ").append(pairs);
        }
        return out.toString();
    }

    /** Many writes in flight from one client: a window of {@code window} outstanding async writes. */
    static Result inFlightWrites(SystemUnderTest sut, int window, int keys, long millis) throws Exception {
        try (KvClient c = sut.newClient()) {
            for (int k = 0; k < keys; k++) {
                c.prepare("bench-par-" + k);
            }
            return ReadLockWorkloads.windowed("2. writes, " + window + " in flight", sut.name(), window, millis,
                    i -> c.writeAsync("bench-par-" + (i % keys), VALUE), sut);
        }
    }

    /**
     * Planned change of master (issue 19): a client writes sequentially in a thread of its own;
     * then either the master / leader is stopped with SIGTERM (a planned restart: Chubby and etcd
     * hand leadership to a follower before they exit, ZooKeeper's followers elect) or, with
     * {@code transfer}, the system's own transfer command runs ({@code chubby master transfer},
     * {@code etcdctl move-leader}; ZooKeeper has none). One sample: the longest gap between two
     * acknowledged writes from 1 s before the action until 50 writes after it returned. A stopped member is
     * restarted between repetitions.
     */
    static Result plannedChange(SystemUnderTest sut, int reps, boolean transfer) throws Exception {
        String title = transfer ? "10b. leader transfer command, longest write pause"
                : "10a. planned restart: SIGTERM of the master, longest write pause";
        Stats s = new Stats();
        java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
        for (int r = 0; r < reps; r++) {
            try (KvClient c = sut.newClient()) {
                c.prepare("bench-planned");
                try (BackgroundWriter w = new BackgroundWriter(c, "bench-planned", errors)) {
                    Procs.sleep(1000);
                    s.add(longestPause(sut, w.acks, transfer ? sut::transferLeader : () -> Procs.term(sut.leaderPid())));
                }
            }
            sut.restartStopped();
            Procs.sleep(3000); // let the restarted member catch up before the next change
        }
        return new Result(title, sut.name(), Double.NaN, s.percentileMs(50), s.percentileMs(99), s.maxMs(), s.count(),
                errors.get() + " failed writes");
    }

    /**
     * Membership change (issue 19): a client writes sequentially in a thread of its own; a follower
     * is removed with the system's own command ({@code chubby member remove} / {@code paxos:member
     * remove}, {@code etcdctl member remove}), then stopped and its data directory emptied (untimed),
     * then added back ({@code paxos:member add}: the master replicates to the joining replica until
     * it caught up, then changes the configuration; {@code etcdctl member add} and starting the
     * member with {@code --initial-cluster-state existing}). One sample per change: the longest gap
     * between two acknowledged writes from 1 s before the command until 50 writes after it returned.
     */
    static List<Result> membershipChange(SystemUnderTest sut, int reps) throws Exception {
        Stats removes = new Stats();
        Stats adds = new Stats();
        java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
        for (int r = 0; r < reps; r++) {
            try (KvClient c = sut.newClient()) {
                c.prepare("bench-members");
                try (BackgroundWriter w = new BackgroundWriter(c, "bench-members", errors)) {
                    Procs.sleep(1000);
                    removes.add(longestPause(sut, w.acks, sut::removeFollower));
                    sut.wipeRemoved();
                    Procs.sleep(1000);
                    adds.add(longestPause(sut, w.acks, sut::addRemovedBack));
                }
            }
            Procs.sleep(3000); // let the member that came back settle before the next change
        }
        String note = errors.get() + " failed writes";
        return List.of(
                new Result("11a. membership: remove a follower, longest write pause", sut.name(), Double.NaN,
                        removes.percentileMs(50), removes.percentileMs(99), removes.maxMs(), removes.count(), note),
                new Result("11b. membership: add it back (empty data directory), longest write pause", sut.name(),
                        Double.NaN, adds.percentileMs(50), adds.percentileMs(99), adds.maxMs(), adds.count(), note));
    }

    /**
     * A client writing one key sequentially on a thread of its own until closed, recording when each
     * write was acknowledged; failed writes are counted and retried after 5 ms.
     */
    private static final class BackgroundWriter implements AutoCloseable {
        final java.util.concurrent.ConcurrentLinkedDeque<Long> acks = new java.util.concurrent.ConcurrentLinkedDeque<>();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final Thread thread;

        BackgroundWriter(KvClient c, String key, java.util.concurrent.atomic.AtomicInteger errors) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        c.write(key, VALUE);
                        acks.add(System.nanoTime());
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        Procs.sleep(5);
                    }
                }
            }, key + "-writer");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    /** An action the workload times. */
    interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} and returns the longest gap (ns) between two acknowledged writes from 1 s
     * before it until 50 acknowledgements after it returned.
     */
    private static long longestPause(SystemUnderTest sut, java.util.Deque<Long> acks, Action action) throws Exception {
        long at = System.nanoTime();
        action.run();
        long done = System.nanoTime();
        long deadline = done + TimeUnit.SECONDS.toNanos(60);
        while (acks.stream().filter(t -> t > done).count() < 50) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(sut.name() + ": fewer than 50 writes 60 s after the change");
            }
            Procs.sleep(10);
        }
        long previous = Long.MIN_VALUE;
        long longest = 0;
        for (long t : acks) {
            if (previous != Long.MIN_VALUE && t > at && previous > at - TimeUnit.SECONDS.toNanos(1)) {
                longest = Math.max(longest, t - previous);
            }
            previous = t;
        }
        return longest;
    }

    /**
     * Mirroring (issue 20): one key of the system mirrored into a second deployment (3 members);
     * a client writes 1, 2, ... sequentially at the source, a watcher at the target records when
     * each value becomes visible there. One sample per write: from its acknowledgement at the source
     * to the first time the target shows it or a later value (a mirror may skip values overwritten
     * meanwhile; the later one carries it). Writes acknowledged before the watcher saw the value
     * count 0.
     */
    static Result mirrorPropagation(SystemUnderTest sut, int writes) throws Exception {
        try (SystemUnderTest.Mirror m = sut.startMirror()) {
            long[] acked = new long[writes + 1];
            long[] seenAt = new long[writes + 1];
            long[] highest = {-1};
            m.watchTarget(seq -> {
                long now = System.nanoTime();
                synchronized (seenAt) {
                    for (long s = highest[0] + 1; s <= Math.min(seq, writes); s++) {
                        seenAt[(int) s] = now;
                    }
                    highest[0] = Math.max(highest[0], seq);
                    seenAt.notifyAll();
                }
            });
            m.writeAtSource(0);
            awaitSeen(sut, seenAt, highest, 0);
            for (int i = 1; i <= writes; i++) {
                m.writeAtSource(i);
                acked[i] = System.nanoTime();
            }
            awaitSeen(sut, seenAt, highest, writes);
            Stats s = new Stats();
            for (int i = 1; i <= writes; i++) {
                s.add(Math.max(0, seenAt[i] - acked[i]));
            }
            return new Result("12. mirror: write acknowledged at the source -> visible at the target", sut.name(),
                    Double.NaN, s.percentileMs(50), s.percentileMs(99), s.maxMs(), s.count(),
                    writes + " sequential writes, target of 3 members");
        }
    }

    /**
     * Mirroring after a cut (issue 20): {@code files} files mirrored into the target deployment
     * (the first copy is timed too), then the mirror is stopped (the bundle's configuration removed;
     * {@code etcdctl make-mirror} killed), every file is changed at the source, and {@code cutMs}
     * after the stop the mirror is started again: from then until the target shows every new value
     * is the reconciliation. The target is polled (every file that is not level yet, reads in
     * parallel), so a figure carries the poll's granularity, given in the note.
     */
    static List<Result> mirrorReconciliation(SystemUnderTest sut, int files, long cutMs) throws Exception {
        try (SystemUnderTest.Mirror m = sut.startMirror()) {
            java.util.Map<String, String> first = new java.util.TreeMap<>();
            java.util.Map<String, String> second = new java.util.TreeMap<>();
            for (int i = 0; i < files; i++) {
                first.put("f" + i, "first-" + i);
                second.put("f" + i, "second-" + i);
            }
            long t0 = System.nanoTime();
            for (var e : first.entrySet()) {
                m.putAtSource(e.getKey(), e.getValue());
            }
            long[] firstPoll = awaitLevel(sut, m, first);
            long firstCopy = firstPoll[0] - t0;
            m.stopMirroring();
            long stopped = System.nanoTime();
            for (var e : second.entrySet()) {
                m.putAtSource(e.getKey(), e.getValue());
            }
            long changedMs = (System.nanoTime() - stopped) / 1_000_000;
            Procs.sleep(Math.max(0, cutMs - (System.nanoTime() - stopped) / 1_000_000));
            long resumed = System.nanoTime();
            m.resumeMirroring();
            long[] level = awaitLevel(sut, m, second);
            double reconcileMs = (level[0] - resumed) / 1e6;
            double firstMs = firstCopy / 1e6;
            return List.of(
                    new Result("13a. mirror: first copy of " + files + " files (writes included)", sut.name(), Double.NaN,
                            firstMs, firstMs, firstMs, 1, "polled every " + firstPoll[1] / 1_000_000 + " ms at most"),
                    new Result("13b. mirror: reconciliation after a " + cutMs / 1000 + " s cut, " + files
                            + " files changed", sut.name(), Double.NaN, reconcileMs, reconcileMs, reconcileMs, 1,
                            "changes took " + changedMs + " ms; target polled every " + level[1] / 1_000_000
                                    + " ms at most"));
        }
    }

    /** Polls until the target shows every value of {@code expected}: {when it did, the longest poll round}. */
    private static long[] awaitLevel(SystemUnderTest sut, SystemUnderTest.Mirror m, java.util.Map<String, String> expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        java.util.Map<String, String> left = new java.util.TreeMap<>(expected);
        long longestRound = 0;
        while (true) {
            long start = System.nanoTime();
            java.util.Set<String> missing = m.missingAtTarget(left);
            long end = System.nanoTime();
            longestRound = Math.max(longestRound, end - start);
            left.keySet().retainAll(missing);
            if (left.isEmpty()) {
                return new long[] {end, longestRound};
            }
            if (end > deadline) {
                throw new IllegalStateException(sut.name() + ": the target is still missing " + left.size()
                        + " values after 300 s, e.g. " + left.keySet().iterator().next());
            }
            Procs.sleep(20);
        }
    }

    private static void awaitSeen(SystemUnderTest sut, long[] seenAt, long[] highest, long seq) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        synchronized (seenAt) {
            while (highest[0] < seq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(sut.name() + ": the target never showed " + seq + " (last "
                            + highest[0] + ")");
                }
                seenAt.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }
}
