package io.chubby.client;

/**
 * Whether a read uses the client's consistent cache (SPEC 7).
 *
 * @since 1.3.0
 */
public enum CacheMode {
    /**
     * The default: answered from the cache when it holds the node; otherwise the master answers and
     * the answer fills the cache, which signs this session up as a cache holder of the node (every
     * write to it then invalidates this session first and waits for its acknowledgement, which the
     * library sends on its next KeepAlive).
     */
    CACHED,

    /**
     * Always asks the master, with {@code no_cache}: the answer is neither taken from nor put into
     * the cache, and the session is not signed up as a holder of the node, so no write waits for
     * it. For a value used once (the CLI's {@code cat}), or by a program that caches nothing.
     */
    UNCACHED
}
