package io.chubby.testkit;

import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * An in-JVM peer network: one {@link PeerTransport} per replica id. Delivery calls the receiver's
 * handler at once on the sender's thread with a copy of the bytes (the SPI says handlers run on
 * transport threads; the real ones only enqueue). A message to a replica without a handler is
 * dropped, as the real transport drops messages to a peer that is down. Links can be cut one way.
 *
 * <p>Threads: any thread may send, cut or heal.
 */
public final class MemoryNetwork {
    private final Map<Integer, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<Long> cut = ConcurrentHashMap.newKeySet();
    private volatile BiConsumer<Integer, byte[]> onSend = (from, bytes) -> { };

    /** Replica {@code id}'s transport (the same object on every call). */
    public PeerTransport transport(int id) {
        return endpoints.computeIfAbsent(id, Endpoint::new);
    }

    /** Told (sender, bytes) of every message sent, cut or not, on the sender's thread (ordering tests). */
    public void onSend(BiConsumer<Integer, byte[]> listener) {
        onSend = listener;
    }

    /** Drops every message from {@code from} to {@code to} until healed. */
    public void cut(int from, int to) {
        cut.add(link(from, to));
    }

    /** Cuts both directions between {@code id} and every other endpoint. */
    public void isolate(int id) {
        for (int other : endpoints.keySet()) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    /**
     * The replica ids {@code id}'s transport was last told to link to ({@code PeerTransport.linkPeers}),
     * or null when never told (delivery does not depend on it: every endpoint reaches every other).
     */
    public Set<Integer> linked(int id) {
        Endpoint e = endpoints.get(id);
        return e == null ? null : e.linked;
    }

    /** Restores every link. */
    public void heal() {
        cut.clear();
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }

    private final class Endpoint implements PeerTransport {
        private final int id;
        private volatile PeerHandler handler;
        private volatile Set<Integer> linked;

        Endpoint(int id) {
            this.id = id;
        }

        @Override
        public void setHandler(PeerHandler h) {
            this.handler = h;
        }

        @Override
        public void linkPeers(Collection<Member> peers) {
            linked = Set.copyOf(peers.stream().map(Member::id).toList());
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
