package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.MasterInfo;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.client.internal.ClientCore;
import io.chubby.client.internal.PartitionedChannel;
import io.chubby.client.internal.OneShot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A session with a Chubby cell. Thread-safe: share one instance per process.
 *
 * <p>{@link #connect} finds the master (asking the given replicas in turn), opens one TCP
 * connection to it, creates a session and keeps it alive with KeepAlives in the background. When
 * the master moves (NOT_MASTER, WRONG_EPOCH, lost connection) the client finds the new one and
 * retries: reads always; writes only when they certainly did not reach the old master (otherwise
 * they fail with OUTCOME_UNKNOWN: check the state before retrying). Every call is bounded by
 * {@link ClientOptions#callTimeout()}. All of this is the {@link MasterChannel} every call of the
 * client takes, which {@link #openChannel} opens on its own for code that speaks the protocol.
 *
 * <p>Errors are {@link ChubbyException} with the server's
 * {@link ErrorCode}; asynchronous calls complete their futures exceptionally with
 * the same exception. When the local lease runs out the session is in
 * {@link SessionState#JEOPARDY} and calls wait until it is SAFE again or EXPIRED.
 *
 * <p>Convenience calls ({@link #read}, {@link #write}, ...) open a handle, do one call and close
 * it. Paths are absolute: {@code /ls/<cell>/...} ({@code local} names the cell you reach).
 */
public interface ChubbyClient extends AutoCloseable {

    /**
     * Connects to the cell and creates a session; blocks until the session exists.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when no master answered within the
     *                                       call timeout
     */
    static ChubbyClient connect(ClientOptions options) {
        return CellClient.connect(options);
    }

    /**
     * Loads and initialises what the first {@link #connect} of a process needs (wire messages,
     * transport classes) on the calling thread, without I/O: a short-lived program (the
     * {@code chubby} command) calls it on a second thread while it does something else (parses its
     * arguments), so that its connect starts sooner. Optional; idempotent.
     */
    static void prepare() {
        ClientCore.prepare();
    }

    /**
     * Opens a raw {@link MasterChannel} to the cell's master, without a session: the channel a
     * client's calls take, for code that speaks the protocol itself (e.g. a proxy). It finds the
     * master on its first call; until then it does no I/O. It has threads of its own (a timer,
     * callback threads, MINA's I/O thread once connected): close it.
     */
    static MasterChannel openChannel(ClientOptions options) {
        return PartitionedChannel.open(options);
    }

    /**
     * Asks one replica (not necessarily the master) for its status.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when the replica does not answer in time
     */
    static ReplicaStatus status(String replicaAddress, Duration timeout) {
        return OneShot.status(replicaAddress, timeout, ClientSecurity.NONE);
    }

    /**
     * Runs an operator command line inside one replica (its Gogo shell) and returns its output.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when the replica does not answer in
     *                                       time, or the replica's error (e.g. no admin shell)
     */
    static AdminResult admin(String replicaAddress, String commandLine, Duration timeout) {
        return OneShot.admin(replicaAddress, commandLine, timeout, ClientSecurity.NONE);
    }

    /**
     * Asks one replica where the master is, without a session.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when the replica does not answer in time
     */
    static MasterInfo masterLocation(String replicaAddress, Duration timeout) {
        return OneShot.masterLocation(replicaAddress, timeout, ClientSecurity.NONE);
    }

    /** {@link #status(String, Duration)} over TLS and/or with credentials. @since 1.4 */
    static ReplicaStatus status(String replicaAddress, Duration timeout, ClientSecurity security) {
        return OneShot.status(replicaAddress, timeout, security);
    }

    /** {@link #admin(String, String, Duration)} over TLS and/or with credentials. @since 1.4 */
    static AdminResult admin(String replicaAddress, String commandLine, Duration timeout, ClientSecurity security) {
        return OneShot.admin(replicaAddress, commandLine, timeout, security);
    }

    /** {@link #masterLocation(String, Duration)} over TLS and/or with credentials. @since 1.4 */
    static MasterInfo masterLocation(String replicaAddress, Duration timeout, ClientSecurity security) {
        return OneShot.masterLocation(replicaAddress, timeout, security);
    }

    /**
     * Who the replica at {@code replicaAddress} takes a connection with {@code security} to be:
     * one Hello, no session (so it works for a principal that may not create sessions).
     *
     * @throws ChubbyException PERMISSION_DENIED when the replica refuses the login (wrong password,
     *                         a password without TLS), CELL_UNAVAILABLE when it cannot be reached
     *                         (a failed TLS handshake says why)
     * @since 1.4
     */
    static Identity whoami(String replicaAddress, Duration timeout, ClientSecurity security) {
        return OneShot.whoami(replicaAddress, timeout, security);
    }

    /**
     * Who the master took this client's connection to be (the principal its sessions belong to).
     *
     * @since 1.4
     */
    default Identity identity() {
        return new Identity("anonymous", Identity.Mechanism.NONE, "");
    }

    /** The options this client was created with. */
    ClientOptions options();

    // ---- handles ----

    /** Opens (and maybe creates) the node at the absolute {@code path}. */
    Handle open(String path, OpenOptions options);

    CompletableFuture<Handle> openAsync(String path, OpenOptions options);

    // ---- convenience: open, one call, close ----

    /** The whole contents of a file (from the cache when it holds them). */
    byte[] read(String path);

    CompletableFuture<byte[]> readAsync(String path);

    /**
     * The whole contents of a file; with {@link CacheMode#UNCACHED} always from the master, without
     * caching them or signing the session up as a cache holder of the file (no write waits for it).
     *
     * @since 1.3.0
     */
    default byte[] read(String path, CacheMode mode) {
        return Sync.await(readAsync(path, mode));
    }

    /** Asynchronous {@link #read(String, CacheMode)}. @since 1.3.0 */
    default CompletableFuture<byte[]> readAsync(String path, CacheMode mode) {
        return mode == CacheMode.CACHED ? readAsync(path) : CompletableFuture.failedFuture(new ChubbyException(
                ErrorCode.INVALID_ARGUMENT, "an uncached read is not supported by this implementation"));
    }

    /** Writes a file whole, creating it if it does not exist; returns its metadata after the write. */
    Stat write(String path, byte[] data);

    CompletableFuture<Stat> writeAsync(String path, byte[] data);

    /** Creates a directory; fails with EXISTS if the name exists. */
    void mkdir(String path);

    CompletableFuture<Void> mkdirAsync(String path);

    /**
     * Creates the directory unless it exists: one Open with create MAY of a directory, so two
     * clients racing to create it both succeed (no {@code exists()} then {@code mkdir()}). The
     * parent must exist ({@code chubby mkdir -p} creates each missing component in turn).
     *
     * @return true when this call created it, false when it was already there
     * @throws ChubbyException EXISTS when a file has that name; NO_SUCH_NODE when the parent does
     *                         not exist; NOT_A_DIRECTORY when the parent is a file
     * @since 1.2.0
     */
    default boolean ensureDirectory(String path) {
        return Sync.await(ensureDirectoryAsync(path));
    }

    /** Asynchronous {@link #ensureDirectory}: completes with whether this call created it. */
    default CompletableFuture<Boolean> ensureDirectoryAsync(String path) {
        return CompletableFuture.failedFuture(new ChubbyException(
                ErrorCode.INVALID_ARGUMENT, "ensureDirectory is not supported by this implementation"));
    }

    /** Deletes a file or an empty directory. */
    void delete(String path);

    CompletableFuture<Void> deleteAsync(String path);

    /** The children of a directory with their metadata. */
    List<DirEntry> list(String path);

    CompletableFuture<List<DirEntry>> listAsync(String path);

    /** A node's metadata. */
    Stat stat(String path);

    CompletableFuture<Stat> statAsync(String path);

    /** Whether the node exists (false on NO_SUCH_NODE; other errors are thrown). */
    boolean exists(String path);

    CompletableFuture<Boolean> existsAsync(String path);

    // ---- sequencers ----

    /**
     * Asks the cell whether a sequencer is valid now (authentic, lock still held in that mode at
     * that generation). A bad sequencer is an answer ({@code valid=false} with the reason, e.g.
     * "forged: ..."), not an error. For servers outside the cell see {@link SequencerVerifier}.
     */
    default SequencerCheck checkSequencer(byte[] sequencer) {
        return Sync.await(checkSequencerAsync(sequencer));
    }

    default CompletableFuture<SequencerCheck> checkSequencerAsync(byte[] sequencer) {
        return CompletableFuture.failedFuture(new ChubbyException(
                ErrorCode.INVALID_ARGUMENT, "checkSequencer is not supported by this implementation"));
    }

    // ---- cell ----

    /** Where the master is, as the master (or a replica) answers now. */
    MasterInfo masterInfo();

    /**
     * The number of partitions of the cell (docs/PARTITIONING.md) as this client last learned it
     * from the cell: 1 for a cell of one partition, or before the client learned otherwise. With
     * more than one, {@link Stat#partition()} names the partition of each node, 0 included.
     *
     * @since 1.8.0
     */
    default int partitions() {
        return 1;
    }

    // ---- session ----

    /** The id of this client's session (changes never: an expired session stays expired). */
    long sessionId();

    /** SAFE, JEOPARDY or EXPIRED. */
    SessionState sessionState();

    /**
     * How long the local lease (the client's conservative view of the session lease) has left, in
     * milliseconds; 0 when it ran out (jeopardy) or is unknown.
     */
    default long localLeaseRemainingMillis() {
        return 0;
    }

    /**
     * Registers a listener told about every session state change (JEOPARDY, SAFE, EXPIRED), in
     * order, on a callback thread.
     */
    void addSessionListener(Consumer<SessionState> listener);

    void removeSessionListener(Consumer<SessionState> listener);

    /**
     * The state of each partition session this client holds, by partition (since 1.9.0): in a cell
     * of one partition only partition 0, equal to {@link #sessionState()}; in a partitioned cell
     * the partitions used so far. {@link #sessionState()} is the worst of them.
     */
    default java.util.Map<Integer, SessionState> partitionStates() {
        return java.util.Map.of(0, sessionState());
    }

    /**
     * Registers a listener told about every state change of each partition session, in order, on
     * the notifier thread (since 1.9.0): which partition is in JEOPARDY while the others stay SAFE.
     */
    default void addPartitionStateListener(PartitionStateListener listener) {
        throw new UnsupportedOperationException("partition states are not supported by this implementation");
    }

    /** Removes a listener added with {@link #addPartitionStateListener}. */
    default void removePartitionStateListener(PartitionStateListener listener) {
    }

    /**
     * Registers a listener told about events of handles opened with subscriptions
     * ({@link OpenOptions#withEvents}), in the session's order, on a callback thread.
     */
    void addEventListener(Consumer<Event> listener);

    void removeEventListener(Consumer<Event> listener);

    /**
     * Ends the session (CloseSession, best effort) and releases the connection and threads.
     * Never fails; idempotent. A close() made while another thread's close() is under way returns
     * once that one is done (so a shutdown hook that closes the client never lets the process exit
     * before the master was told). Later calls fail with SESSION_EXPIRED.
     */
    @Override
    void close();
}
