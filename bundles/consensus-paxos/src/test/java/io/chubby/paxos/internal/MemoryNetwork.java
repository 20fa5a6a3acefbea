package io.chubby.paxos.internal;

import io.chubby.spi.PeerTransport;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-JVM peer network for tests: one {@link PeerTransport} per replica id. Delivery calls the
 * receiver's handler on the sender's thread (handlers only enqueue). Links can be cut one way.
 */
final class MemoryNetwork {
    private final Map<Integer, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<Long> cut = ConcurrentHashMap.newKeySet();
    /** Told (sender, bytes) of every message sent, on the sender's thread (ordering tests). */
    volatile java.util.function.BiConsumer<Integer, byte[]> onSend = (from, bytes) -> { };

    PeerTransport transport(int id) {
        return endpoints.computeIfAbsent(id, Endpoint::new);
    }

    /** Drops every message from {@code from} to {@code to} until healed. */
    void cut(int from, int to) {
        cut.add(link(from, to));
    }

    /** Cuts both directions between {@code id} and every other endpoint. */
    void isolate(int id) {
        for (int other : endpoints.keySet()) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    void heal() {
        cut.clear();
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }

    private final class Endpoint implements PeerTransport {
        private final int id;
        private volatile PeerHandler handler;

        Endpoint(int id) {
            this.id = id;
        }

        @Override
        public void setHandler(PeerHandler h) {
            this.handler = h;
        }

        @Override
        public void send(int to, byte[] message) {
            onSend.accept(id, message);
            if (cut.contains(link(id, to))) {
                return;
            }
            Endpoint target = endpoints.get(to);
            PeerHandler h = target == null ? null : target.handler;
            if (h != null) {
                h.onMessage(id, message.clone());
            }
        }
    }
}
