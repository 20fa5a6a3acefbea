package io.chubby.it;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client of the unchanged library behind a proxy, on its own thread: it connects as soon as the
 * proxy serves (retrying while nothing answers at the address), then writes a new value to one file
 * and reads it back, over and over. A call the library gives up on with CELL_UNAVAILABLE or
 * OUTCOME_UNKNOWN (the proxy was away) is counted and tried again with the next value; anything
 * else, or a read that does not return the value just acknowledged, is recorded as fatal. It keeps
 * the last acknowledged value and the last one attempted, so a test can check afterwards that the
 * cell holds one of them: no acknowledged write was lost.
 */
final class ProxyLoad implements AutoCloseable {
    private static final long WAIT_MS = 60_000;

    private final String address;
    private final String file;
    private final String name;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final StringBuffer states = new StringBuffer();
    private final AtomicReference<String> firstFatal = new AtomicReference<>();
    private final AtomicReference<String> lastAcknowledged = new AtomicReference<>();
    private final AtomicReference<String> lastAttempted = new AtomicReference<>();
    private final AtomicReference<ChubbyClient> client = new AtomicReference<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;

    private ProxyLoad(String address, String file, String name) {
        this.address = address;
        this.file = file;
        this.name = name;
        this.thread = new Thread(this::run, name + "-load");
    }

    /** Starts the client's thread; it connects to {@code address} once something serves there. */
    static ProxyLoad start(String address, String file, String name) {
        ProxyLoad load = new ProxyLoad(address, file, name);
        load.thread.start();
        return load;
    }

    private void run() {
        ChubbyClient c = connectWhenServed();
        if (c == null) {
            return;
        }
        for (long i = 0; !stop.get(); i++) {
            String value = "v" + i;
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            lastAttempted.set(value);
            try {
                c.write(file, v);
                lastAcknowledged.set(value);
                if (!Arrays.equals(v, c.read(file))) {
                    firstFatal.compareAndSet(null, "read after acknowledged write " + value + " returned something else");
                }
                done.incrementAndGet();
            } catch (ChubbyException e) {
                if (e.code() == ErrorCode.CELL_UNAVAILABLE || e.code() == ErrorCode.OUTCOME_UNKNOWN) {
                    retried.incrementAndGet();
                } else {
                    firstFatal.compareAndSet(null, e.toString());
                }
            } catch (RuntimeException e) {
                firstFatal.compareAndSet(null, e.toString());
            }
        }
    }

    private ChubbyClient connectWhenServed() {
        while (!stop.get()) {
            try {
                ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address).clientName(name)
                        .callTimeout(Duration.ofSeconds(20)).build());
                c.addSessionListener(s -> states.append(s).append(' '));
                client.set(c);
                connected.countDown();
                return c;
            } catch (ChubbyException e) {
                if (e.code() != ErrorCode.CELL_UNAVAILABLE) {
                    firstFatal.compareAndSet(null, "connect: " + e);
                    return null;
                }
                sleep(100);
            }
        }
        return null;
    }

    /** Waits until the client has connected (a session through the proxy); fails after 60 s. */
    void awaitConnected() throws InterruptedException {
        if (!connected.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the client did not connect to " + address + " within " + WAIT_MS + " ms "
                    + describe());
        }
    }

    /** Waits until {@code n} more write-read rounds succeeded; fails after 60 s. */
    void awaitMore(long n, String when) throws InterruptedException {
        long target = done.get() + n;
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (done.get() < target && System.currentTimeMillis() < deadline && firstFatal.get() == null) {
            Thread.sleep(50);
        }
        if (done.get() < target) {
            throw new AssertionError("the load did not make " + n + " more writes " + when + " " + describe());
        }
    }

    /** The client's session id (it must not change while the proxy goes and comes back). */
    long sessionId() {
        return client.get().sessionId();
    }

    /** Write-read rounds that succeeded. */
    long done() {
        return done.get();
    }

    /** Calls the library gave up on while the proxy was away. */
    long retried() {
        return retried.get();
    }

    /** The session states the client went through, in order (e.g. "JEOPARDY SAFE"). */
    String states() {
        return states.toString();
    }

    /** The first failure that is not "the proxy was away", or null. */
    String firstFatal() {
        return firstFatal.get();
    }

    /** The value of the last write the cell acknowledged. */
    String lastAcknowledged() {
        return lastAcknowledged.get();
    }

    /** The value of the last write tried (acknowledged or not). */
    String lastAttempted() {
        return lastAttempted.get();
    }

    String describe() {
        return "(done " + done.get() + ", retried " + retried.get() + ", states " + states + ", fatal "
                + firstFatal.get() + ")";
    }

    /** Stops the thread (after its call in flight) and closes the client's session; idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stop.set(true);
        thread.join(WAIT_MS);
        ChubbyClient c = client.get();
        if (c != null) {
            c.close();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
