package io.chubby.proxy.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ErrorCode;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A proxy's calls in front of a partitioned cell (README "Partitioned cells"): each goes on, with
 * its {@code Request.partition} untouched, to the master of that partition over the raw channel
 * (a master per partition, followed there through NOT_MASTER / WRONG_EPOCH and failovers as the
 * library's client follows them), with the client's session; CreateSession, KeepAlive and
 * CloseSession are the {@link PartitionKeepers}' instead. An answer carrying a location
 * (WRONG_PARTITION's map: the channel follows NOT_MASTER / WRONG_EPOCH itself and never hands
 * them back) comes back with the proxy as every master ({@link ProxiedMap}), so the client routes
 * again through the proxy. Thread-safe.
 */
final class PartitionRouter {
    private final MasterChannel channel;
    private final String advertise;
    private final Map<Integer, LongAdder> calls = new ConcurrentHashMap<>();
    private final LongAdder wrongPartition = new LongAdder();

    PartitionRouter(MasterChannel channel, String advertise) {
        this.channel = channel;
        this.advertise = advertise;
    }

    /** Passes {@code upstream} (the client's request as it goes to the cell) on; its answer to {@code conn}. */
    void pass(ClientConnection conn, Request req, byte[] upstream, MasterChannel.Retry retry, Duration timeout) {
        calls.computeIfAbsent(req.getPartition(), p -> new LongAdder()).increment();
        channel.callDirect(upstream, retry, timeout).whenComplete((answer, err) ->
                conn.send(err == null ? answer(answer, req.getCallId()) : Replies.failure(req.getCallId(), err)));
    }

    /** The answer with the client's call id; parsed only when it carries a location to rewrite. */
    private byte[] answer(byte[] answer, long callId) {
        if (!Replies.carriesMaster(answer)) {
            return Replies.withCallId(answer, callId); // most answers: passed on as the cell sent them
        }
        Response r;
        try {
            r = Response.parseFrom(answer);
        } catch (InvalidProtocolBufferException e) {
            return Replies.error(callId, ErrorCode.PROTOCOL_ERROR, "proxy: undecodable answer");
        }
        if (!r.hasMaster()) {
            return Replies.withCallId(answer, callId);
        }
        if (r.hasError() && ErrorCode.fromWire(r.getError().getCode()) == ErrorCode.WRONG_PARTITION) {
            wrongPartition.increment();
        }
        return r.toBuilder().setCallId(callId).setMaster(ProxiedMap.of(r.getMaster(), advertise)).build()
                .toByteArray();
    }

    /** Calls passed on per partition, {@code p0=..,p1=..} in partition order ("" before any). */
    String perPartition() {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(calls).forEach((p, n) -> s.append(s.isEmpty() ? "" : ",").append('p').append(p).append('=')
                .append(n.sum()));
        return s.toString();
    }

    /** WRONG_PARTITION answers passed back (each with its map made to name the proxy). */
    long wrongPartitions() {
        return wrongPartition.sum();
    }
}
