package io.chubby.testkit;

import io.chubby.spi.Member;
import io.chubby.spi.PeerTransport;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * An in-JVM peer network: one {@link PeerTransport} per replica id. Delivery calls the receiver's
 * handler at once on the sender's thread with a copy of the bytes (the SPI says handlers run on
 * transport threads; the real ones only enqueue). A message to a replica without a handler is
 * dropped, as the real transport drops messages to a peer that is down. Links can be cut one way.
 * Optionally ({@link #faults}) messages are lost or delivered twice at random, and ({@link #deliverOn})
 * delivered on an executor instead of the sender's thread.
 *
 * <p>Threads: any thread may send, cut or heal.
 */
public final class MemoryNetwork {
    private final Map<Integer, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<Long> cut = ConcurrentHashMap.newKeySet();
    private volatile BiConsumer<Integer, byte[]> onSend = (from, bytes) -> { };
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    /** Draws of {@link #faults}, under its own lock; null = no faults. */
    private volatile Random faults;
    private volatile double loseChance;
    private volatile double duplicateChance;
    private volatile Executor delivery = Runnable::run;

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

    /**
     * From now on each message not cut is lost with chance {@code lose}, else delivered twice with
     * chance {@code duplicate}, drawn from {@code random} (seeded by the test); null = no faults.
     */
    public void faults(Random random, double lose, double duplicate) {
        this.loseChance = lose;
        this.duplicateChance = duplicate;
        this.faults = random;
    }

    /** From now on messages are delivered by {@code executor} (one thread: in order) instead of on the sender's thread. */
    public void deliverOn(Executor executor) {
        this.delivery = executor;
    }

    /** Messages lost by {@link #faults} so far. */
    public long lost() {
        return lost.get();
    }

    /** Messages delivered twice by {@link #faults} so far. */
    public long duplicated() {
        return duplicated.get();
    }

    /** How many copies of a message to deliver: 1 without faults; 0, 1 or 2 with them. */
    private int copies() {
        Random r = faults;
        if (r == null) {
            return 1;
        }
        double draw;
        synchronized (r) {
            draw = r.nextDouble();
        }
        if (draw < loseChance) {
            lost.incrementAndGet();
            return 0;
        }
        if (draw < loseChance + duplicateChance) {
            duplicated.incrementAndGet();
            return 2;
        }
        return 1;
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
            int copies = copies();
            for (int i = 0; i < copies; i++) {
                byte[] copy = message.clone();
                delivery.execute(() -> {
                    PeerHandler h = target == null ? null : target.handler;
                    if (h != null) {
                        h.onMessage(id, copy);
                    }
                });
            }
        }
    }
}
