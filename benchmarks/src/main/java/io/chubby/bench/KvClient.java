package io.chubby.bench;

import java.util.concurrent.CompletableFuture;

/** The operations the workloads need, implemented once per system. */
interface KvClient extends AutoCloseable {
    /** Creates the key if needed (not measured). */
    void prepare(String key) throws Exception;

    /** One durable write of {@code value} to {@code key}; returns when acknowledged. */
    void write(String key, byte[] value) throws Exception;

    /** The same, asynchronously. */
    CompletableFuture<Void> writeAsync(String key, byte[] value);

    @Override
    void close();
}
