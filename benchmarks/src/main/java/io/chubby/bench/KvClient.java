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

    /** A read answered by the master / leader (never from a client-side cache). */
    CompletableFuture<byte[]> readAsync(String key);

    /**
     * A read served from the client's consistent cache when the system has one.
     *
     * @throws UnsupportedOperationException when the system's client does not cache
     */
    default byte[] cachedRead(String key) throws Exception {
        throw new UnsupportedOperationException("no consistent client cache in this system's client");
    }

    /** An exclusive lock named {@code name}, held on behalf of this client's session. */
    DistLock lock(String name) throws Exception;

    @Override
    void close();

    /** One system's exclusive lock (Chubby handle lock, Curator InterProcessMutex, etcd lock + lease). */
    interface DistLock {
        void acquire() throws Exception;

        void release() throws Exception;
    }
}
