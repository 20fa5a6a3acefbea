package io.chubby.cell.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.cell.internal.master.Proposer;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.spi.Partitioner;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the bound partitioner's N in the cell (docs/PARTITIONING.md section 5, step 14): on each
 * tick of group 0's timer, the group-0 master proposes {@code SetPartitions(N)} when a partitioner
 * of N > 1 is bound, the cell has no record of more than one partition, every member announced
 * the peer minor of the grouped messages and the cell holds only its root and no session. It tries
 * again on later ticks while it is not master, while a member has not announced, or while a
 * proposal failed for a reason that passes (NOT_MASTER, CELL_UNAVAILABLE); it stops for good (for
 * this partitioner) when the cell holds data, the hash is not the reference one, or apply refused
 * the record, with one ERROR naming the bound and the recorded values and the fix, and the status
 * metric {@code partitioning=mismatch (...)}. A record of another N found later (made by another
 * replica's master) is reported the same way, once. Without a partitioner, or with N = 1, it does
 * nothing: the cell stays today's cell.
 *
 * <p>Threads: {@link #tick} runs on group 0's timer thread (or a test's); the outcome fields are
 * volatile because Status reads them on transport threads.
 */
final class PartitionRecorder {
    private static final Logger log = LoggerFactory.getLogger(PartitionRecorder.class);

    private final CellHost host;
    /** The proposal in flight, or null. */
    private volatile CompletableFuture<Void> inFlight;
    /** The partitioner the outcome below is about; a newly bound one starts afresh. */
    private volatile Partitioner about;
    /** Why the bound partitioner's N cannot be recorded, or null while it still may be. */
    private volatile String refusal;
    /** Whether "waiting for members" was logged for the current partitioner (once). */
    private volatile boolean waitLogged;

    PartitionRecorder(CellHost host) {
        this.host = host;
    }

    /** One step: propose, or find out that the record cannot be made. */
    void tick(Partitioner bound) {
        if (bound != about) {
            about = bound;
            refusal = null;
            waitLogged = false;
        }
        if (bound == null || refusal != null || inFlight != null) {
            return;
        }
        Partitions recorded = host.partitions();
        if (recorded.partitioned()) {
            if (!HostPartitioning.matches(bound, recorded)) {
                refuse(bound, recorded, "the cell records another partitioning");
            }
            return;
        }
        if (bound.partitions() <= 1) {
            return; // N = 1: nothing to record, the cell is today's cell
        }
        if (!bound.hashName().equals(PartitionHash.NAME)) {
            refuse(bound, recorded, "this cell records partitions only with hash " + PartitionHash.NAME);
            return;
        }
        CellServer zero = host.server(0);
        if (zero == null || !zero.consensus().isMaster()) {
            return; // the group-0 master records it
        }
        if (zero.nodeCount() > 1 || zero.sessionCount() > 0) {
            refuse(bound, recorded, "the cell holds data (" + zero.nodeCount() + " nodes, " + zero.sessionCount()
                    + " sessions); the number of partitions is fixed once a cell holds data");
            return;
        }
        CompletableFuture<Void> f = host.recordPartitions(bound.partitions());
        inFlight = f;
        f.whenComplete((ok, failure) -> done(bound, failure));
    }

    private void done(Partitioner bound, Throwable failure) {
        inFlight = null;
        if (failure == null) {
            log.info("partitions recorded partitions={} hash={}", bound.partitions(), bound.hashName());
            return;
        }
        Throwable cause = Proposer.unwrap(failure);
        if (cause instanceof ChubbyException e && (e.code() == ErrorCode.NOT_MASTER
                || e.code() == ErrorCode.CELL_UNAVAILABLE)) {
            if (!waitLogged && e.code() == ErrorCode.CELL_UNAVAILABLE) {
                waitLogged = true;
                log.info("partitions not recorded yet, retried on every tick: {}", e.getMessage());
            }
            return;
        }
        if (bound == about) {
            refuse(bound, host.partitions(), cause.getMessage());
        }
    }

    private void refuse(Partitioner bound, Partitions recorded, String why) {
        String text = HostPartitioning.mismatch(bound, recorded) + ": " + why;
        refusal = text;
        log.error("partitioning mismatch ({}); fix: configure partition.count={} (PID io.chubby.partition, "
                + "'chubby cell up --partitions {}') on every replica, or start a new cell for {} partitions",
                text, recorded.count(), recorded.count(), bound.partitions());
    }

    /** Why the bound partitioner's N is not the cell's, or null (also while the record is being made). */
    String refusal() {
        return about == null ? null : refusal;
    }
}
