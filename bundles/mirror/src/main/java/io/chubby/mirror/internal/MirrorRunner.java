package io.chubby.mirror.internal;

import io.chubby.api.Event;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.mirror.internal.plan.EventMapper;
import io.chubby.mirror.internal.plan.Listing;
import io.chubby.mirror.internal.plan.MirrorTask;
import io.chubby.mirror.internal.plan.Plan;
import io.chubby.mirror.internal.plan.ReconciliationPlanner;
import io.chubby.mirror.internal.plan.RemovalGuard;
import io.chubby.mirror.internal.plan.MirrorAction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mirror at work while this replica is master of the target cell: connects to the source cell
 * with the ordinary client and uses the component's {@link TargetClient} for its own cell, reconciles the whole subtree by checksum, then
 * follows the source's events; any failure (source cut off, a session lost, the target master
 * moving) closes the source client, and the next connection starts with a reconciliation again, so
 * nothing changed meanwhile is lost.
 *
 * <p>Threads: everything below runs on the runner's own thread, which owns the clients and the
 * watches; client notifier threads only queue tasks, and session listeners also set the
 * cut-off state (the worker may be blocked in a call then). The status is an immutable snapshot
 * in a volatile field, changed only by {@link #update} (synchronized), so no change is lost.
 */
final class MirrorRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorRunner.class);
    /** Queued Syncs planned and written together at most. */
    private static final int SYNC_BATCH = 256;

    /** A task and when it was queued, for the lag. */
    private record Pending(MirrorTask task, long queuedMillis) {
    }

    private final MirrorSettings settings;
    private final TargetClient target;
    private final Clock clock;
    private final EventMapper mapper;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile MirrorStatus status;
    /**
     * Source root instance the last complete reconciliation converged with, or the operator
     * confirmed; kept by the component, so it outlives this runner on this replica.
     */
    private final AtomicLong confirmedRoot;
    private volatile long lastSourceRoot;

    MirrorRunner(MirrorSettings settings, TargetClient target, Clock clock, MirrorStatus initial,
                 AtomicLong confirmedRoot) {
        this.confirmedRoot = confirmedRoot;
        this.settings = settings;
        this.target = target;
        this.clock = clock;
        this.mapper = new EventMapper(settings.subtrees());
        this.status = initial.with(MirrorState.CONNECTING);
        this.thread = new Thread(this, "mirror-" + settings.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Asks the runner to stop; waits up to {@code waitMillis} for it (0: do not wait). The worker
     * is not interrupted at first, so that it closes both sessions cleanly (a session left open
     * in the target keeps cached copies there, and every write to them waits for its lease to
     * run out); only a worker still running after the wait is interrupted.
     */
    void stop(long waitMillis) {
        running = false;
        if (waitMillis > 0) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                thread.interrupt();
            }
        }
    }

    /** Whether the worker thread has ended (it may run on briefly after {@link #stop}). */
    boolean finished() {
        return !thread.isAlive();
    }

    MirrorStatus status() {
        return status;
    }

    /** The operator accepts the source root as it is now (see RemovalGuard). */
    void confirm() {
        confirmedRoot.set(lastSourceRoot);
        queue.add(new Pending(new MirrorTask.Reconcile("source root confirmed by the operator"), clock.millis()));
    }

    @Override
    public void run() {
        while (running) {
            try {
                session();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                LOG.warn("mirror {} cut off: {}", settings.name(), e.toString());
                update(s -> s.with(MirrorState.CUT_OFF).withDetail(e.getMessage()));
                pause();
            }
        }
        LOG.info("mirror {} stopped", settings.name());
    }

    private void session() throws InterruptedException {
        update(s -> s.with(MirrorState.CONNECTING));
        try (ChubbyClient source = ChubbyClient.connect(ClientOptions.builder().cell(settings.sourceCell())
                .clientName("mirror-" + settings.name()).security(settings.sourceSecurity()).build())) {
            stream(source, target.get());
        }
    }

    /** Waits before reconnecting, in short steps so that a stop is seen at once. */
    private void pause() {
        long until = clock.millis() + settings.retryMillis();
        try {
            while (running && clock.millis() < until) {
                Thread.sleep(Math.min(50, settings.retryMillis()));
            }
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /**
     * Reconciles, then follows the source's events until stopped, a call fails, or a session of
     * either side expires (its watches are gone, or its writes would fail: a new round starts
     * with new sessions and a reconciliation).
     */
    private void stream(ChubbyClient source, ChubbyClient target) throws InterruptedException {
        AtomicReference<String> expired = new AtomicReference<>();
        Consumer<SessionState> sourceListener = st -> session("source", st, expired);
        Consumer<SessionState> targetListener = st -> session("target", st, expired);
        source.addSessionListener(sourceListener);
        target.addSessionListener(targetListener);
        try {
            follow(source, target, expired);
        } finally {
            source.removeSessionListener(sourceListener);
            target.removeSessionListener(targetListener);
        }
    }

    private void follow(ChubbyClient source, ChubbyClient target, AtomicReference<String> expired)
            throws InterruptedException {
        SourceSide src = new SourceSide(source, settings.subtrees(), this::onEvent);
        TargetSide dst = new TargetSide(target, settings.subtrees());
        queue.clear();
        reconcile(src, dst, "connected");
        long lastTargetCall = clock.millis();
        while (running) {
            String side = expired.get();
            if (side != null) {
                throw new IllegalStateException(side + " session expired");
            }
            Pending p = queue.poll(100, TimeUnit.MILLISECONDS);
            if (p != null) {
                handle(p, src, dst);
                lastTargetCall = clock.millis();
            } else if (clock.millis() - lastTargetCall >= settings.touchMillis()) {
                dst.touch(); // a session with no handle and no call is ended as idle by the cell
                lastTargetCall = clock.millis();
            }
            publishLag();
        }
    }

    private void handle(Pending p, SourceSide src, TargetSide dst) {
        MirrorTask task = p.task();
        if (task instanceof MirrorTask.Reconcile r) {
            while (queue.peek() != null && queue.peek().task() instanceof MirrorTask.Reconcile) {
                queue.poll();
            }
            reconcile(src, dst, r.reason());
        } else if (task instanceof MirrorTask.Remove r) {
            src.unwatch(r.relative());
            dst.removeTree(settings.subtrees().targetPath(r.relative()));
        } else if (task instanceof MirrorTask.Sync s) {
            // The Syncs queued right behind this one are planned now too and written together
            // (a burst of changes at the source costs shared consensus rounds, not one each); a
            // Remove or a Reconcile ends the batch, so the order of tasks is kept. The batch is
            // taken from the queue before anything is listed: a change whose event comes later
            // stays queued for the next batch, never planned from a listing older than it.
            Set<String> batch = new LinkedHashSet<>(List.of(s.relative()));
            while (batch.size() < SYNC_BATCH && queue.peek() != null
                    && queue.peek().task() instanceof MirrorTask.Sync next) {
                queue.poll();
                batch.add(next.relative());
            }
            List<MirrorAction> actions = new ArrayList<>();
            src.snapshotListings();
            dst.snapshotListings();
            try {
                Set<String> touched = new HashSet<>();
                for (String relative : batch) {
                    // a node already in an earlier plan of the batch (a directory's walk covers its
                    // files) is left to it: two copies of one file in flight could land out of order
                    List<MirrorAction> mine = plan(relative, src, dst).actions().stream()
                            .filter(a -> !touched.contains(a.relative())).toList();
                    mine.forEach(a -> touched.add(a.relative()));
                    actions.addAll(mine);
                }
            } finally {
                src.freshListings();
                dst.freshListings();
            }
            new Pipeline(Pipeline.WINDOW).apply(actions, src, dst);
        }
    }

    /** One node's plan from fresh listings of both sides. */
    private Plan plan(String relative, SourceSide src, TargetSide dst) {
        Listing source = src.walk(relative);
        Listing target = dst.walk(relative);
        // Below the root, events from watches on the confirmed root stand for it.
        long trusted = relative.isEmpty() ? confirmedRoot.get() : source.rootInstance();
        return ReconciliationPlanner.plan(source, target, new RemovalGuard(settings.removalCap(), trusted));
    }

    private void reconcile(SourceSide src, TargetSide dst, String why) {
        update(s -> s.with(MirrorState.RECONCILING));
        long started = clock.millis();
        Listing source = src.walk("");
        lastSourceRoot = source.rootInstance();
        Listing target = dst.walk("");
        Plan plan = ReconciliationPlanner.plan(source, target, new RemovalGuard(settings.removalCap(), confirmedRoot.get()));
        apply(plan, src, dst);
        if (plan.withheldRemovals() == 0) {
            confirmedRoot.set(source.rootInstance());
        }
        long took = clock.millis() - started;
        String what = why + ": " + source.size() + " source node(s), " + plan + ", " + took + " ms";
        LOG.info("mirror {} reconciled ({})", settings.name(), what);
        String detail = plan.withheldRemovals() == 0 ? "" : "removals withheld: " + plan.withheldReason()
                + " (mirror:confirm " + settings.name() + " to allow)";
        long at = clock.millis();
        update(s -> s.with(MirrorState.STREAMING).withReconciliation(at, what).withDetail(detail));
    }

    private static void apply(Plan plan, SourceSide src, TargetSide dst) {
        new Pipeline(Pipeline.WINDOW).apply(plan.actions(), src, dst);
    }

    private void onEvent(Event e) {
        mapper.map(e).ifPresent(t -> queue.add(new Pending(t, clock.millis())));
    }

    /**
     * A session with either cell in jeopardy: cut off; safe again: reconcile, events may be lost;
     * expired: noted in {@code expired}, for the worker to end this round.
     */
    private void session(String side, SessionState s, AtomicReference<String> expired) {
        if (s == SessionState.EXPIRED) {
            expired.compareAndSet(null, side);
            update(st -> st.with(MirrorState.CUT_OFF).withDetail(side + " session expired"));
        } else if (s == SessionState.JEOPARDY) {
            update(st -> st.with(MirrorState.CUT_OFF).withDetail(side + " session in jeopardy"));
        } else if (s == SessionState.SAFE && status.state() == MirrorState.CUT_OFF) {
            update(st -> st.with(MirrorState.STREAMING).withDetail(""));
            queue.add(new Pending(new MirrorTask.Reconcile(side + " session safe again"), clock.millis()));
        }
    }

    private void publishLag() {
        Pending head = queue.peek();
        long age = head == null ? 0 : Math.max(0, clock.millis() - head.queuedMillis());
        int entries = queue.size();
        update(s -> s.withLag(entries, age));
    }

    private synchronized void update(UnaryOperator<MirrorStatus> change) {
        status = change.apply(status);
    }
}
