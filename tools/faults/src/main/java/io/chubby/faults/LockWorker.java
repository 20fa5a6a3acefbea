package io.chubby.faults;

import io.chubby.api.CreateMode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.Sequencer;
import io.chubby.sim.check.LockModel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the lock workload: its own session, one thread, in a loop: acquire the exclusive
 * lock of the lock file (with a timeout), get the sequencer, do 1-3 writes to the
 * {@link ProtectedRegister} carrying it, release. Recorded under {@link #historyKey(String)} for
 * {@link LockModel}:
 * <ul>
 *   <li>{@code Acquire} -> the lock generation (from the sequencer); an Acquire that timed out
 *       ({@code false}) had no effect and is only counted; one that failed otherwise is UNKNOWN;</li>
 *   <li>{@code ProtectedWrite(generation, value)} -> accepted ({@code true}) or rejected as stale
 *       ({@code false}); a write the external server could not check had no effect (counted);</li>
 *   <li>{@code Release}: answered, or UNKNOWN.</li>
 * </ul>
 * The lock is lost involuntarily only with the session. So when a Release fails (or the session
 * has to be given up while holding, or an Acquire's outcome is unknown) the Release is recorded
 * UNKNOWN with the invocation time of the Acquire: the session may have ended any time after the
 * lock was granted, taking the lock with it. A Release that succeeds proves the session (hence the
 * lock) was alive all along, so a rejected write before it is then checked at face value.
 *
 * <p>Thread: everything here is owned by the worker's thread; {@code stop} is the only shared flag.
 */
final class LockWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LockWorker.class);
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(3);
    /** Short, so a holder that died does not stall the others for the default 10 s. */
    private static final long LOCK_DELAY_MILLIS = 1000;

    private final int id;
    private final String lockPath;
    private final String key;
    private final ClientOptions options;
    private final ProtectedRegister register;
    private final History history;
    private final Random random;
    private final AtomicBoolean stop;
    private ChubbyClient client;
    private Handle handle;
    private int seq;

    LockWorker(int id, String lockPath, ClientOptions options, ProtectedRegister register, History history, long seed,
               AtomicBoolean stop) {
        this.id = id;
        this.lockPath = lockPath;
        this.key = historyKey(lockPath);
        this.options = options.toBuilder().clientName("faults-locker-" + id).build();
        this.register = register;
        this.history = history;
        this.random = new Random(seed * 104_729 + id);
        this.stop = stop;
    }

    /** The history key of a lock's operations (distinguishes them from register keys). */
    static String historyKey(String lockPath) {
        return "lock:" + lockPath;
    }

    @Override
    public void run() {
        try {
            while (!stop.get()) {
                if (connected()) {
                    cycle();
                }
            }
        } catch (RuntimeException e) {
            log.error("lock worker crashed id={}", id, e);
            throw e;
        } finally {
            disconnect();
        }
    }

    private boolean connected() {
        if (client != null) {
            return true;
        }
        try {
            client = ChubbyClient.connect(options);
            handle = client.open(lockPath, OpenOptions.write().withCreate(CreateMode.MAY)
                    .withLockDelayMillis(LOCK_DELAY_MILLIS));
            log.info("lock worker connected id={} session={}", id, client.sessionId());
            return true;
        } catch (RuntimeException e) {
            log.info("lock worker connect failed id={} error={}", id, e.toString());
            disconnect();
            pause(200);
            return false;
        }
    }

    private void cycle() {
        long acquireInvoke = History.now();
        boolean granted;
        try {
            granted = handle.acquire(LockMode.EXCLUSIVE, ACQUIRE_TIMEOUT);
        } catch (RuntimeException e) {
            history.unknown(key, id, acquireInvoke, new LockModel.Acquire());
            giveUp(acquireInvoke, "acquire failed", e);
            return;
        }
        long acquired = History.now();
        if (!granted) {
            history.failed();
            history.count("acquire-timed-out");
            pause(20);
            return;
        }
        Sequencer sequencer;
        try {
            sequencer = handle.getSequencer();
        } catch (RuntimeException e) {
            // granted, but which generation is unknown: the Acquire's output cannot be recorded
            history.unknown(key, id, acquireInvoke, new LockModel.Acquire());
            giveUp(acquireInvoke, "getSequencer failed", e);
            return;
        }
        history.completed(key, id, acquireInvoke, acquired, new LockModel.Acquire(), sequencer.generation());
        history.count("lock-acquired");
        int writes = 1 + random.nextInt(3);
        for (int i = 0; i < writes && !stop.get(); i++) {
            long value = RegisterValues.fresh(id, seq++);
            LockModel.ProtectedWrite input = new LockModel.ProtectedWrite(sequencer.generation(), value);
            long invoke = History.now();
            ProtectedRegister.Verdict verdict = register.write(sequencer.bytes(), value);
            long complete = History.now();
            switch (verdict) {
                case ACCEPTED -> {
                    history.completed(key, id, invoke, complete, input, true);
                    history.count("protected-write-accepted");
                }
                case STALE -> {
                    history.refused(key, id, invoke, complete, input, false);
                    history.count("protected-write-rejected");
                }
                case UNDECIDED -> {
                    history.failed();
                    history.count("protected-write-undecided");
                }
            }
            if (verdict == ProtectedRegister.Verdict.STALE) {
                break; // our session (and the lock) is probably gone; the Release tells
            }
            pause(random.nextInt(30));
        }
        long releaseInvoke = History.now();
        try {
            handle.release();
            history.completed(key, id, releaseInvoke, History.now(), new LockModel.Release(), null);
        } catch (RuntimeException e) {
            giveUp(acquireInvoke, "release failed", e);
        }
    }

    /**
     * The lock may be held or lost (with the session) since {@code heldSince}: record an unknown
     * Release from then and give the session up (closing it releases the lock at the master, or
     * the session expires on its own), then start over with a new session.
     */
    private void giveUp(long heldSince, String why, RuntimeException e) {
        log.info("lock worker gives up its session id={} why={} error={}", id, why, e.toString());
        history.unknown(key, id, heldSince, new LockModel.Release());
        if (ClientWorker.isExpiry(e) && client != null) {
            history.sessionExpired(id + LOCK_CLIENT_BASE, client.sessionId(), History.now(), e.getMessage());
        }
        disconnect();
        pause(100);
    }

    /** Added to lock worker ids in session-expiry records, so they are told apart from register clients. */
    static final int LOCK_CLIENT_BASE = 1000;

    private void disconnect() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
