package io.chubby.proxy.internal.core;

/**
 * How many client sessions a proxy takes before it refuses new ones ({@code proxy.max.sessions}).
 * A proxy's heap holds about 1 KB per client session, more in bursts (a group answer releasing tens
 * of thousands of held KeepAlives at once); a proxy that runs out of heap loses its upstream and,
 * with it, every session it renews. So a full proxy refuses CreateSession and keeps serving the
 * sessions it has; its refusal names the cell's master (NOT_MASTER), where the client library
 * creates the session instead (see ProxyHandler). Sessions that move here from another proxy are always taken: refusing them
 * could only lose them.
 */
public final class SessionLimit {
    /** Heap bytes set aside per client session when the limit is derived from the heap. */
    public static final long HEAP_BYTES_PER_SESSION = 8 * 1024;

    private final long max;

    private SessionLimit(long max) {
        this.max = max;
    }

    /** {@code configured} > 0: that many; 0: one per {@link #HEAP_BYTES_PER_SESSION} of {@code maxHeapBytes}. */
    public static SessionLimit of(long configured, long maxHeapBytes) {
        if (configured < 0) {
            throw new IllegalArgumentException("proxy.max.sessions must be >= 0 (0: from the heap), was " + configured);
        }
        return new SessionLimit(configured > 0 ? configured : Math.max(1, maxHeapBytes / HEAP_BYTES_PER_SESSION));
    }

    public long max() {
        return max;
    }

    /** Whether one more client session may be created through the proxy that renews {@code clientSessions}. */
    public boolean admitsNew(int clientSessions) {
        return clientSessions < max;
    }

    /** The refusal's message. */
    public String refusal(String advertise, int clientSessions) {
        return "proxy " + advertise + " is full: " + clientSessions + " client sessions (proxy.max.sessions "
                + max + "); the session is created at the cell's master";
    }
}
