package io.chubby.faults;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import io.chubby.sim.check.RegisterModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the workload: its own {@link ChubbyClient} (session), one thread, doing a seeded
 * mix of operations on a few register files until told to stop, recording each in the
 * {@link History}:
 * <ul>
 *   <li>CAS increment: read value and content generation, then {@code setContents(next, generation)};
 *       recorded as a Read and a {@link RegisterModel.Cas} (expected = the value read);</li>
 *   <li>blind write of a unique value ({@link RegisterModel.Write});</li>
 *   <li>read ({@link RegisterModel.Read}).</li>
 * </ul>
 * A generation CAS is a value CAS here because every write writes a value never written before
 * ({@link RegisterValues}): the content equals the value read exactly when no write came between.
 *
 * <p>When the session expires (or a handle goes bad) the worker closes its client and connects
 * anew under the same client id. Locks are the {@link LockWorker}'s.
 *
 * <p>Thread: everything here is owned by the worker's thread; {@code stop} is the only shared flag.
 */
final class ClientWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClientWorker.class);
    private static final int EPOCH_CHECK_EVERY = 20;

    private final int id;
    private final List<String> keys;
    private final ClientOptions options;
    private final History history;
    private final Random random;
    private final AtomicBoolean stop;
    private final Map<String, Handle> handles = new HashMap<>();
    private ChubbyClient client;
    private int seq;
    private long ops;

    ClientWorker(int id, List<String> keys, ClientOptions options, History history, long seed, AtomicBoolean stop) {
        this.id = id;
        this.keys = List.copyOf(keys);
        this.options = options.toBuilder().clientName("faults-client-" + id).build();
        this.history = history;
        this.random = new Random(seed * 7919 + id);
        this.stop = stop;
    }

    @Override
    public void run() {
        try {
            while (!stop.get()) {
                if (!connected()) {
                    continue;
                }
                String key = keys.get(random.nextInt(keys.size()));
                int dice = random.nextInt(10);
                if (dice < 4) {
                    casIncrement(key);
                } else if (dice < 7) {
                    blindWrite(key);
                } else {
                    read(key);
                }
                if (++ops % EPOCH_CHECK_EVERY == 0 && client != null) {
                    noteEpoch();
                }
            }
        } catch (RuntimeException e) {
            log.error("client worker crashed id={}", id, e);
            throw e;
        } finally {
            disconnect();
        }
    }

    /** Connects (and opens the handles) when needed; false when it could not (try again). */
    private boolean connected() {
        if (client != null) {
            return true;
        }
        try {
            client = ChubbyClient.connect(options);
            for (String key : keys) {
                handles.put(key, client.open(key, OpenOptions.write()));
            }
            log.info("client connected id={} session={}", id, client.sessionId());
            return true;
        } catch (RuntimeException e) {
            log.info("client connect failed id={} error={}", id, e.toString());
            disconnect();
            pause(200);
            return false;
        }
    }

    private void disconnect() {
        handles.values().forEach(Handle::close);
        handles.clear();
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private void casIncrement(String key) {
        Contents c = readContents(key);
        if (c == null) {
            return;
        }
        Long seen = RegisterValues.decode(c.data());
        long next = RegisterValues.next(seen, id, seq++);
        RegisterModel.Cas input = new RegisterModel.Cas(seen, next);
        long invoke = History.now();
        try {
            handles.get(key).setContents(RegisterValues.encode(next), c.stat().contentGeneration());
            history.completed(key, id, invoke, History.now(), input, true);
        } catch (RuntimeException e) {
            ChubbyException ce = unwrap(e);
            if (ce != null && ce.code() == ErrorCode.CAS_MISMATCH) {
                history.refused(key, id, invoke, History.now(), input, false);
            } else {
                writeFailed(key, invoke, input, ce, e);
            }
        }
    }

    private void blindWrite(String key) {
        long value = RegisterValues.fresh(id, seq++);
        RegisterModel.Write input = new RegisterModel.Write(value);
        long invoke = History.now();
        try {
            handles.get(key).setContents(RegisterValues.encode(value));
            history.completed(key, id, invoke, History.now(), input, null);
        } catch (RuntimeException e) {
            writeFailed(key, invoke, input, unwrap(e), e);
        }
    }

    /**
     * A write that failed: CELL_UNAVAILABLE promises it was not applied (the client retries a
     * write only while that is certain, and fails OUTCOME_UNKNOWN once it may have been sent), so
     * it is left out of the history like a failed read; OUTCOME_UNKNOWN and every other failure
     * (SESSION_EXPIRED, CANCELLED, ...) may have taken effect at any time: unknown.
     */
    private void writeFailed(String key, long invoke, Object input, ChubbyException ce, RuntimeException raw) {
        if (ce != null && ce.code() == ErrorCode.CELL_UNAVAILABLE) {
            history.failed();
            history.count("write-not-applied");
        } else {
            history.unknown(key, id, invoke, input);
            history.count(ce != null && ce.code() == ErrorCode.OUTCOME_UNKNOWN ? "write-outcome-unknown"
                    : "write-failed-otherwise");
        }
        afterError(ce, raw);
    }

    /**
     * A read through the client: half through the handle, half with {@code client.read(path)};
     * both are served from the client's cache when it holds the file, so cached reads are in the
     * history and the register check covers "no stale read from a cache after a write returned".
     */
    private void read(String key) {
        if (random.nextBoolean()) {
            readContents(key);
            return;
        }
        long invoke = History.now();
        try {
            byte[] data = client.read(key);
            history.completed(key, id, invoke, History.now(), new RegisterModel.Read(), RegisterValues.decode(data));
        } catch (RuntimeException e) {
            history.failed();
            afterError(unwrap(e), e);
        }
    }

    /** A recorded read; null when it failed (a failed read has no effect: counted, not checked). */
    private Contents readContents(String key) {
        long invoke = History.now();
        try {
            Contents c = handles.get(key).getContentsAndStat();
            history.completed(key, id, invoke, History.now(), new RegisterModel.Read(), RegisterValues.decode(c.data()));
            return c;
        } catch (RuntimeException e) {
            history.failed();
            afterError(unwrap(e), e);
            return null;
        }
    }

    private void noteEpoch() {
        try {
            MasterInfo m = client.masterInfo();
            if (m.epoch() > 0) {
                history.sawEpoch(id, History.now(), m.epoch());
            }
        } catch (RuntimeException e) {
            afterError(unwrap(e), e);
        }
    }

    /** Reconnects after errors that leave the session or handles unusable; backs off a little otherwise. */
    private void afterError(ChubbyException ce, RuntimeException raw) {
        ErrorCode code = ce == null ? null : ce.code();
        if (code == ErrorCode.SESSION_EXPIRED || code == ErrorCode.BAD_HANDLE || code == ErrorCode.CANCELLED) {
            log.info("client reconnects id={} code={}", id, code);
            if (code == ErrorCode.SESSION_EXPIRED && client != null) {
                history.sessionExpired(id, client.sessionId(), History.now(), ce.getMessage());
            }
            disconnect();
        } else if (ce == null) {
            log.warn("client call failed id={} error={}", id, raw.toString());
            pause(50);
        } else {
            pause(50);
        }
    }

    /** Whether the failure says the session expired. */
    static boolean isExpiry(RuntimeException e) {
        ChubbyException ce = unwrap(e);
        return ce != null && ce.code() == ErrorCode.SESSION_EXPIRED;
    }

    /** The ChubbyException a call failed with (through CompletionExceptions), or null. */
    static ChubbyException unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ChubbyException ce ? ce : null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
