package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader-election recipe (SPEC section 11, seed 001): every candidate opens a well-known file
 * and acquires its lock EXCLUSIVELY; the winner writes its identity into the file and hands out
 * its {@link #sequencer()}; everyone can read {@link #currentLeader()} and be told when it
 * changes. Usage, as in the seed's pseudocode:
 * <pre>{@code
 * LeaderElection e = new LeaderElection(client, "/ls/local/app/leader", "host-7");
 * e.start();
 * e.awaitLeadership(Duration.ofMinutes(1));
 * while (e.renewLeader()) {
 *     doWork(e.sequencer().orElseThrow());   // fence every protected write with it
 * }
 * // not leader any more
 * }</pre>
 *
 * <p>Leadership ends, with a {@link Listener#leadershipChanged} callback, when: the session
 * EXPIRES; the lock is lost (found by {@link #renewLeader()} or the background check every
 * {@code pollInterval}, both via CheckSequencer); {@link #stepDown()} or {@link #close()}. While the
 * session is in JEOPARDY {@link #isLeader()} answers false (the leader cannot know it still holds
 * the lock) without ending the campaign. After losing the lock with a live session the candidate
 * campaigns again.
 *
 * <p>A candidate that has won the lock writes its record before it calls itself leader. That write
 * is idempotent while the lock is ours, so one that failed without an answer (OUTCOME_UNKNOWN) or
 * for want of a master (CELL_UNAVAILABLE) is sent again, with backoff, for up to
 * {@link #WRITE_RETRY_LIMIT}; before each retry the lock is checked, so a candidate that lost it
 * meanwhile never overwrites the next leader's record (it campaigns again instead).
 *
 * <p>The campaign <em>fails</em> when it ends by itself: the session expired, the record could not
 * be written (another error, or the retries ran out), or Acquire failed. Then the lock is released
 * (a failed candidate never sits on the lock), the failure is logged at ERROR, listeners get
 * {@link Listener#campaignFailed}, {@link #awaitLeadership} throws it and {@link #failure()}
 * returns it. The candidate does not campaign again.
 *
 * <p>Followers learn about changes by polling (every {@code pollInterval}: the file's contents and
 * the lock's holders), because event delivery may not be available; a change fires
 * {@link Listener#leaderChanged}. File contents: {@code <identity>\nlock-generation <G>\n}; a leader
 * is only reported while the lock is held at that generation, so a crashed leader's stale name is
 * never reported.
 *
 * <p>Threads: per election one daemon campaign thread (blocks in Acquire) and one daemon watch
 * thread (polls, renews, and calls the listeners, in order). Thread-safe.
 */
public final class LeaderElection implements AutoCloseable {
    /** How long a new leader keeps re-sending the write of its record before it gives up. */
    public static final Duration WRITE_RETRY_LIMIT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    /** Told about leadership of this candidate and about who leads. Called on the campaign thread. */
    public interface Listener {
        /** This candidate became leader ({@code true}) or stopped being leader ({@code false}). */
        default void leadershipChanged(boolean leader) {
        }

        /** The leader (as read from the file) changed; empty while nobody leads. */
        default void leaderChanged(Optional<String> leader) {
        }

        /**
         * The campaign ended by itself for {@code cause} (session expired, the leader's record could
         * not be written, Acquire failed); the lock has been released (or the release failed, which
         * {@code cause} says) and this candidate does not campaign again. Not called after
         * {@link #stepDown()} or {@link #close()}.
         */
        default void campaignFailed(ChubbyException cause) {
        }
    }

    private final ChubbyClient client;
    private final String path;
    private final String identity;
    private final Duration pollInterval;
    private final long lockDelayMillis;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Consumer<SessionState> sessionListener = this::sessionChanged;
    private final Object lock = new Object();
    // guarded by lock
    private boolean leader;
    private boolean running;
    private Sequencer sequencer;
    private Optional<String> lastLeader = Optional.empty();
    private ChubbyException failure;
    private Handle handle;
    private Thread campaign;
    private ScheduledExecutorService watch;

    /** An election on {@code path} with a 500 ms poll interval and the default 10 s lock-delay. */
    public LeaderElection(ChubbyClient client, String path, String identity) {
        this(client, path, identity, Duration.ofMillis(500), OpenOptions.DEFAULT_LOCK_DELAY_MILLIS);
    }

    /**
     * @param pollInterval    how often followers re-read the leader and the leader re-checks its lock
     * @param lockDelayMillis lock-delay of the election lock (0..60000): after a leader crashes,
     *                        nobody leads for this long, so its in-flight work can drain
     */
    public LeaderElection(ChubbyClient client, String path, String identity, Duration pollInterval,
                          long lockDelayMillis) {
        this.client = Objects.requireNonNull(client);
        this.path = Objects.requireNonNull(path);
        this.identity = Objects.requireNonNull(identity);
        if (identity.contains("\n")) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "identity must be one line");
        }
        this.pollInterval = pollInterval;
        this.lockDelayMillis = lockDelayMillis;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** Opens (creating if needed) the election file and starts campaigning in the background. */
    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            handle = client.open(path, OpenOptions.write().withCreate(CreateMode.MAY)
                    .withLockDelayMillis(lockDelayMillis));
            running = true;
            campaign = new Thread(this::campaign, "chubby-election " + path);
            campaign.setDaemon(true);
            watch = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "chubby-election-watch " + path);
                t.setDaemon(true);
                return t;
            });
            campaign.start();
            watch.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        client.addSessionListener(sessionListener);
    }

    /**
     * Blocks until this candidate leads or the timeout passes; true if leading. False at once after
     * {@link #stepDown()} / {@link #close()}.
     *
     * @throws ChubbyException the campaign's failure (see {@link #failure()}), with the caller's stack
     */
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!leader && running) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            if (!leader && failure != null) {
                throw new ChubbyException(failure.code(), failure.detail(), failure);
            }
            return leader;
        }
    }

    /** Why the campaign ended by itself, if it did (it is then over: nothing is campaigning). */
    public Optional<ChubbyException> failure() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    /** Whether this candidate leads now (false while the session is in jeopardy). */
    public boolean isLeader() {
        synchronized (lock) {
            return leader && client.sessionState() == SessionState.SAFE;
        }
    }

    /**
     * Confirms leadership with the cell (CheckSequencer on our own sequencer) and returns whether
     * this candidate still leads; when it does not, leadership ends here (listeners are told).
     * Meant as the condition of the leader's work loop.
     */
    public boolean renewLeader() {
        Sequencer s;
        synchronized (lock) {
            if (!leader) {
                return false;
            }
            s = sequencer;
        }
        try {
            SequencerCheck c = client.checkSequencer(s.bytes());
            if (!c.valid()) {
                lose(s, "lock lost: " + c.reason());
            }
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.SESSION_EXPIRED) {
                lose(s, "session expired");
            } else {
                return isLeader(); // cell briefly unreachable: not proof of loss
            }
        }
        return isLeader();
    }

    /** This candidate's sequencer while it leads. */
    public Optional<Sequencer> sequencer() {
        synchronized (lock) {
            return leader ? Optional.of(sequencer) : Optional.empty();
        }
    }

    /**
     * Who leads now, read from the cell: the identity in the file while the lock is held at the
     * generation the leader recorded; empty while nobody leads (or the new leader has not written yet).
     */
    public Optional<String> currentLeader() {
        try (Handle h = client.open(path, OpenOptions.read())) {
            LockInfo info = h.lockInfo();
            if (!info.held()) {
                return Optional.empty();
            }
            return LeaderFile.parse(h.getContentsAndStat().data(), info.lockGeneration());
        } catch (ChubbyException e) {
            if (e.code() == ErrorCode.NO_SUCH_NODE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Stops leading (releases the lock) and stops campaigning. The file handle stays open until close(). */
    public void stepDown() {
        Thread t;
        Handle h;
        synchronized (lock) {
            t = campaign;
            h = handle;
        }
        endCampaign("stepped down"); // leadership ends before the lock is released, never after
        if (t != null) {
            t.interrupt();
        }
        if (h != null && !h.isClosed()) {
            try {
                h.release(); // also cancels a pending Acquire
            } catch (ChubbyException e) {
                log.debug("release on step down failed path={} cause={}", path, e.getMessage());
            }
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Steps down and closes the election file's handle. */
    @Override
    public void close() {
        stepDown();
        client.removeSessionListener(sessionListener);
        Handle h;
        synchronized (lock) {
            h = handle;
        }
        if (h != null) {
            h.close();
        }
        ScheduledExecutorService w;
        synchronized (lock) {
            w = watch;
        }
        if (w != null) {
            w.shutdown(); // queued listener calls still run
        }
    }

    // ---- campaign thread ----

    private void campaign() {
        try {
            while (running()) {
                synchronized (lock) {
                    while (leader && running) {
                        lock.wait();
                    }
                }
                if (running()) {
                    handle.acquire(LockMode.EXCLUSIVE); // blocks until granted (re-sent after failover)
                    becomeLeader();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ChubbyException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new ChubbyException(ErrorCode.INTERNAL, "the election on " + path + " failed: " + e, e));
        }
    }

    /** Watch step: the leader re-checks its lock; everyone re-reads who leads. */
    private void poll() {
        try {
            if (leading()) {
                renewLeader();
            }
            watchLeader();
        } catch (RuntimeException e) {
            log.debug("election poll failed path={} cause={}", path, e.toString());
        }
    }

    private void becomeLeader() throws InterruptedException {
        Sequencer s = handle.getSequencer();
        if (!new LeaderRecordWriter(client, handle, path, identity, this::running).write(s, WRITE_RETRY_LIMIT)) {
            return; // stopped, or the lock was lost meanwhile: campaign again
        }
        synchronized (lock) {
            if (!running) {
                return; // stepDown raced with us; it releases
            }
            leader = true;
            sequencer = s;
            lock.notifyAll();
        }
        log.info("became leader path={} id={} generation={}", path, identity, s.generation());
        tell(l -> l.leadershipChanged(true));
    }

    private void watchLeader() {
        Optional<String> now;
        try {
            now = currentLeader();
        } catch (ChubbyException e) {
            return;
        }
        boolean changed;
        synchronized (lock) {
            changed = !now.equals(lastLeader);
            lastLeader = now;
        }
        if (changed) {
            tell(l -> l.leaderChanged(now));
        }
    }

    private void sessionChanged(SessionState s) {
        if (s == SessionState.EXPIRED) {
            fail(new ChubbyException(ErrorCode.SESSION_EXPIRED, "the session expired: the election on " + path
                    + " ended"));
        }
    }

    /**
     * The campaign ends by itself (not stepDown/close): release the lock so a failed candidate
     * never sits on it, then say so loudly: ERROR log, {@link #failure()}, awaitLeadership's
     * exception, {@link Listener#campaignFailed}. Once only; nothing after a stop.
     */
    private void fail(ChubbyException cause) {
        Handle h;
        synchronized (lock) {
            if (!running) {
                return;
            }
            h = handle;
        }
        String released;
        try {
            h.release(); // also cancels a pending Acquire
            released = "the lock was released";
        } catch (ChubbyException e) {
            released = cause.code() == ErrorCode.SESSION_EXPIRED ? "the lock ended with the session"
                    : "the lock could not be released (" + e.getMessage() + "): it is freed when the session ends";
        }
        ChubbyException failed = new ChubbyException(cause.code(), cause.detail() + "; " + released, cause);
        synchronized (lock) {
            if (!running) {
                return;
            }
            failure = failed;
        }
        log.error("election failed path={} id={} cause={}", path, LeaderRecordWriter.shown(identity),
                failed.getMessage());
        endCampaign(failed.getMessage());
        tell(l -> l.campaignFailed(failed));
    }

    /** Ends leadership of generation {@code s} (once) and tells the listeners. */
    private void lose(Sequencer s, String why) {
        synchronized (lock) {
            if (!leader || sequencer != s) {
                return;
            }
            leader = false;
            sequencer = null;
            lock.notifyAll();
        }
        log.info("leadership ended path={} id={} reason={}", path, identity, why);
        tell(l -> l.leadershipChanged(false));
    }

    /** Calls every listener on the watch thread, in order; a throwing listener does not stop the others. */
    private void tell(Consumer<Listener> call) {
        ScheduledExecutorService w;
        synchronized (lock) {
            w = watch;
        }
        Runnable r = () -> {
            for (Listener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException e) {
                    log.warn("election listener failed path={}", path, e);
                }
            }
        };
        try {
            w.execute(r);
        } catch (RejectedExecutionException closed) {
            r.run();
        }
    }

    /** Stops campaigning; a leader loses its leadership (listeners told). */
    private void endCampaign(String why) {
        Sequencer s;
        synchronized (lock) {
            running = false;
            s = leader ? sequencer : null;
            lock.notifyAll();
        }
        if (s != null) {
            lose(s, why);
        }
    }

    private boolean running() {
        synchronized (lock) {
            return running;
        }
    }

    private boolean leading() {
        synchronized (lock) {
            return leader;
        }
    }
}
