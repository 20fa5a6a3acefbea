package io.chubby.transport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * The threads of one transport: a pool of {@code size} MINA I/O processors (selector threads) that
 * the transport's acceptor and connector share, running on named daemon threads so that thread
 * dumps and logs say which transport they belong to. Disposed after the acceptor and connector.
 */
final class IoThreads {
    private final ExecutorService executor;
    private final SimpleIoProcessorPool<NioSession> processors;

    IoThreads(String name, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("I/O threads must be >= 1, was " + size);
        }
        this.executor = Executors.newCachedThreadPool(named(name));
        // reads that fail (a reset) go to the handlers instead of MINA's ERROR log
        this.processors = new SimpleIoProcessorPool<>(HandledReadNioProcessor.class, executor, size, null);
    }

    ExecutorService executor() {
        return executor;
    }

    SimpleIoProcessorPool<NioSession> processors() {
        return processors;
    }

    void dispose() {
        processors.dispose();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
