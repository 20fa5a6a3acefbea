package io.chubby.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A raw channel to a cell's master that carries client-protocol messages as encoded bytes. It is
 * the path every call of the library's own client takes (handles, sessions, KeepAlives), open to
 * code that speaks the protocol itself, such as a proxy forwarding the requests of its clients.
 *
 * <p><b>Finding and following the master.</b> The first call asks the replicas of the options (the
 * last master first) for the master's location, as the library's client does, and keeps one TCP
 * connection to the master. A call refused with NOT_MASTER or WRONG_EPOCH follows the master the
 * refusal names (or finds it again) and is sent again; a lost connection is replaced, with a pause
 * of {@link ClientOptions#retryBackoff()} doubling per attempt up to 1 s. Every call is bounded by
 * its timeout (by default {@link ClientOptions#callTimeout()}).
 *
 * <p><b>Partitions</b> (client 1.8.0; docs/PARTITIONING.md section 3). In a partitioned cell
 * each call goes to the master of the partition its {@code Request.partition} names (read from the
 * bytes; none: partition 0), with the partition map learned from the cell as the library's client
 * does: one connection per replica, shared by the partitions it masters, and NOT_MASTER /
 * WRONG_EPOCH followed per partition. A call naming a partition the cell does not have (p >= N,
 * or p > 0 in a cell of one partition) fails CELL_UNAVAILABLE without being sent. WRONG_PARTITION
 * is an answer like any other (the caller routes again). {@link #epoch()} and
 * {@link #masterAddress()} are partition 0's.
 *
 * <p><b>What the channel adds to a request.</b> A request is an encoded
 * {@code io.chubby.protocol.Request}; the channel does not parse it. Each attempt appends a fresh
 * {@code call_id} and the {@code epoch} the channel believes in (the highest it learned from
 * master locations, CreateSession and KeepAlive replies, and refusals). A parser keeps the last
 * value of a scalar field that occurs twice, so these override whatever the request carried. The
 * {@code session_id} is the caller's: one channel carries the calls of any number of sessions.
 *
 * <p><b>Answers.</b> The future completes with the encoded {@code io.chubby.protocol.Response}
 * that is the master's final answer: a success, or an error other than those the channel acts on
 * itself (NOT_MASTER, WRONG_EPOCH and CELL_UNAVAILABLE, which are retried; OUTCOME_UNKNOWN, which
 * is retried for an {@link Retry#IDEMPOTENT} request and is the final answer to an
 * {@link Retry#AT_MOST_ONCE} one). Its {@code call_id} is the channel's, not the request's. Answers are matched
 * to calls by call id, so any number of calls may be outstanding and each gets its own answer, in
 * whatever order the master gives them. A response comes back whole: a KeepAlive reply with its
 * events and invalidations is read (for the epoch) but neither consumed nor changed. The protocol
 * has no unsolicited messages: everything the master tells a session rides on the reply to a call
 * in that session, so whoever makes a session's KeepAlive calls sees all of its events and
 * invalidations. An answer arriving after its call gave up is dropped; the master keeps events and
 * invalidations until a KeepAlive acknowledges them, and sends them again.
 *
 * <p><b>Failures</b> complete the future exceptionally with an {@code io.chubby.api.ChubbyException}:
 * CELL_UNAVAILABLE when no master answered within the timeout (nothing was applied), or, for an
 * {@link Retry#AT_MOST_ONCE} request, OUTCOME_UNKNOWN when it may have been applied; CANCELLED
 * when the channel is closed; INVALID_ARGUMENT for a timeout that is not positive.
 *
 * <p><b>Threads.</b> Thread-safe. Futures are completed on the channel's callback threads, never
 * on its I/O thread, so callbacks may block or call the channel again. Cancelling a future stops
 * the channel from sending its request again (an attempt already sent may still take effect).
 * Open one with {@code ChubbyClient.openChannel}; {@link #close()} stops its threads.
 */
@ProviderType
public interface MasterChannel extends AutoCloseable {

    /** Whether a request may be sent again after an attempt whose outcome is unknown. */
    enum Retry {
        /**
         * Repeating it changes nothing more than sending it once (reads, Close, KeepAlive,
         * CreateSession, the lock calls): sent again after any failed attempt until the timeout.
         */
        IDEMPOTENT,
        /**
         * A write (SetContents, SetACL, Delete, Open with create): sent again only when the failed
         * attempt certainly did not take effect (refused with NOT_MASTER, WRONG_EPOCH or
         * CELL_UNAVAILABLE, or the connection failed before it was sent). When it may have taken
         * effect (the connection broke after sending, or no answer in time) the call fails with
         * OUTCOME_UNKNOWN; when the master answers OUTCOME_UNKNOWN (or, a server before api 1.1,
         * CELL_UNAVAILABLE "outcome unknown ...") the call completes with that answer. Either way
         * it is not sent again.
         */
        AT_MOST_ONCE
    }

    /**
     * As {@link #call(byte[], Retry, Duration)}, but the returned future may complete on the thread
     * the answer arrived on (the channel's I/O thread) instead of a callback thread: one thread
     * hand-off less per call, for callers whose callbacks never block and are quick (a proxy
     * passing answers on). A callback that blocks here stalls every call of the channel.
     *
     * @since client 1.5.0
     */
    default CompletableFuture<byte[]> callDirect(byte[] request, Retry retry, Duration timeout) {
        return call(request, retry, timeout);
    }

    /** {@link #call(byte[], Retry, Duration)} with the options' call timeout. */
    CompletableFuture<byte[]> call(byte[] request, Retry retry);

    /**
     * Sends an encoded Request to the master, following it and retrying by {@code retry}, and
     * completes with the master's encoded Response (see the class comment).
     *
     * @param request an encoded {@code io.chubby.protocol.Request}; not modified
     * @param timeout how long the whole call may take, finding the master and retries included
     */
    CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout);

    /** The master epoch the channel believes in (0 before it learned one). */
    long epoch();

    /** The address ({@code host:port}) of the master the channel is connected to, if it is. */
    Optional<String> masterAddress();

    /**
     * Stops using the current connection; the next call finds the master again. For a caller that
     * concluded the master is stuck, e.g. a KeepAlive unanswered for longer than the lease.
     */
    void relocate();

    /**
     * {@link #relocate()} for partition {@code partition}'s master only: the other partitions'
     * calls keep their connections (a connection shared with another partition's master stays
     * open). For a caller that concluded one partition's master is stuck. The default, for a
     * channel of one partition, is {@link #relocate()}. @since 1.8
     */
    default void relocate(int partition) {
        relocate();
    }

    /**
     * Fails the calls still running with CANCELLED, closes the connection and stops the channel's
     * threads. Never fails; idempotent. Later calls fail with CANCELLED.
     */
    @Override
    void close();
}
