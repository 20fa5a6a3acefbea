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
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    /** Told about leadership of this candidate and about who leads. Called on the campaign thread. */
    public interface Listener {
        /** This candidate became leader ({@code true}) or stopped being leader ({@code false}). */
        default void leadershipChanged(boolean leader) {
        }

        /** The leader (as read from the file) changed; empty while nobody leads. */
        default void leaderChanged(Optional<String> leader) {
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

    /** Blocks until this candidate leads or the timeout passes; true if leading. */
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
            return leader;
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
            if (running()) {
                log.warn("election stopped path={} id={} cause={}", path, identity, e.getMessage());
            }
            endCampaign(e.getMessage());
        } catch (RuntimeException e) {
            log.error("election failed path={} id={}", path, identity, e);
            endCampaign(String.valueOf(e));
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

    private void becomeLeader() {
        Sequencer s = handle.getSequencer();
        handle.setContents(LeaderFile.format(identity, s.generation()));
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
            endCampaign("session expired");
        }
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
