package io.chubby.it;

import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients of a cell, each running a {@link Worker} in a thread of its own until {@link #close}:
 * the load of the hot-swap tests. A worker's exception and any session state but SAFE are kept in
 * {@link #failures}; {@link #ok} counts the calls the workers report as done.
 */
final class ExamLoad implements AutoCloseable {
    /** One client's work: calls until {@link ExamLoad#stopped()}, counting them in {@link ExamLoad#ok}. */
    @FunctionalInterface
    interface Worker {
        void run(ExamLoad load, ChubbyClient client, int id) throws Exception;
    }

    final List<ChubbyClient> clients = new ArrayList<>();
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** Connects {@code count} clients named {@code name-i} (20 s call timeout) and starts their workers. */
    ExamLoad(String address, int count, String name, Worker worker) {
        for (int i = 0; i < count; i++) {
            ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(address)
                    .clientName(name + "-" + i).callTimeout(Duration.ofSeconds(20)).build());
            int id = i;
            c.addSessionListener(s -> {
                if (s != SessionState.SAFE) {
                    failures.add("client " + id + " session " + s);
                }
            });
            clients.add(c);
            threads.add(new Thread(() -> {
                try {
                    worker.run(this, c, id);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failures.add("client " + id + ": " + e);
                }
            }, name + "-" + i));
        }
        threads.forEach(Thread::start);
    }

    boolean stopped() {
        return stop.get();
    }

    /** Stops the workers (waiting up to 30 s for each) and closes the clients. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        clients.forEach(ChubbyClient::close);
    }
}
