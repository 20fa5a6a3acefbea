package io.chubby.transport.internal;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of this replica's links per peer for the metrics bundle: whether its outbound link is
 * connected, and when a message from the peer last arrived (on the peer's own link: links are
 * one-way). Thread-safe; {@link #metrics} is pure given the links' state and the time.
 */
final class PeerLinkStats {
    private final Map<Integer, Long> lastHeardNanos = new ConcurrentHashMap<>();

    /** A message from {@code from} arrived at {@code nanos} ({@code System.nanoTime()}). */
    void heard(int from, long nanos) {
        lastHeardNanos.put(from, nanos);
    }

    /**
     * @param up       each linked peer (the peers this replica keeps a link to) and whether it is connected
     * @param dropped  messages dropped so far because a link was down or backed up
     * @param nowNanos the time now, as {@link #heard} was given it
     */
    List<Metric> metrics(Map<Integer, Boolean> up, long dropped, long nowNanos) {
        List<Sample> links = new ArrayList<>();
        List<Sample> heard = new ArrayList<>();
        up.forEach((peer, connected) -> {
            String id = Integer.toString(peer);
            links.add(Sample.of(connected ? 1 : 0, "peer", id));
            Long at = lastHeardNanos.get(peer);
            if (at != null) {
                heard.add(Sample.of(Math.max(0, nowNanos - at) / 1e9, "peer", id));
            }
        });
        return List.of(
                new Metric("chubby_peer_link_up", "1 while this replica's link to the peer is connected",
                        Type.GAUGE, links),
                new Metric("chubby_peer_last_heard_seconds", "Seconds since a message from the peer arrived "
                        + "(absent: none since this replica started)", Type.GAUGE, heard),
                Metric.counter("chubby_peer_messages_dropped", "Messages to peers dropped because a link was down "
                        + "or backed up", dropped));
    }
}
