package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.Mastership;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.replica.ChangeFeed;
import io.chubby.protocol.AdminReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.StatusReply;
import io.chubby.spi.AdminShell;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusStatus;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls about the cell as a whole, answered by any replica: master location, status (with the
 * replica's metrics) and operator commands through the bound {@link AdminShell}. Admin commands
 * run on their own two-thread executor ({@code chubby-cell-admin}), never on an I/O thread,
 * because a Gogo {@code chubby:*} command may call back into this replica. Thread-safe.
 */
final class CellCalls {
    private static final Logger log = LoggerFactory.getLogger(CellCalls.class);

    private final Consensus consensus;
    private final CellSettings settings;
    private final CellStateMachine machine;
    private final Mastership master;
    private final RequestPipeline pipeline;
    private final ChangeFeed feed;
    private final ExecutorService adminExecutor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "chubby-cell-admin");
        t.setDaemon(true);
        return t;
    });
    private volatile AdminShell adminShell;
    private final Delegation delegation;
    private final int group;
    private final Partitioning partitioning;

    CellCalls(Consensus consensus, CellSettings settings, CellStateMachine machine, Mastership master,
              RequestPipeline pipeline, ChangeFeed feed, Delegation delegation, int group, Partitioning partitioning) {
        this.group = group;
        this.partitioning = partitioning;
        this.delegation = delegation;
        this.consensus = consensus;
        this.settings = settings;
        this.machine = machine;
        this.master = master;
        this.pipeline = pipeline;
        this.feed = feed;
    }

    void setAdminShell(AdminShell shell) {
        this.adminShell = shell;
    }

    /** Unbinds {@code shell} unless another one replaced it already (DS binds the new one first). */
    void unsetAdminShell(AdminShell shell) {
        if (this.adminShell == shell) {
            this.adminShell = null;
        }
    }

    void masterLocation(ClientConnection conn, Request req) {
        Wire.send(conn, Wire.reply(req).setMasterLocation(
                partitioning.locate(Wire.location(settings.cellName(), consensus), group)).build());
    }

    void status(ClientConnection conn, Request req) {
        Wire.send(conn, Wire.reply(req).setStatus(status()).build());
    }

    StatusReply status() {
        ConsensusStatus c = consensus.status();
        var leases = master.leases();
        var cache = master.cache();
        var policy = master.policy();
        StatusReply.Builder b = StatusReply.newBuilder();
        machine.restoredFrom().ifPresent(line -> b.putMetrics("restored_from", line));
        b.addAllGroups(partitioning.groups());
        String routing = partitioning.routing();
        if (routing != null) {
            b.putMetrics("partitioning", routing);
        }
        return b.setReplicaId(c.replicaId()).setRole(c.role()).setMasterId(c.masterId())
                .setEpoch(c.epoch()).setCommitIndex(c.commitIndex()).setAppliedIndex(c.appliedIndex())
                .setChecksum(c.checksum()).setFirstLogIndex(c.firstLogIndex()).setLeaseValid(c.leaseValid())
                .setSessions(machine.read(s -> s.sessionCount())).setNodes(machine.read(s -> s.nodeCount()))
                .setAddress(consensus.self().clientAddress()).setPid(ProcessHandle.current().pid())
                .putMetrics("handles", Long.toString(machine.read(s -> s.handleCount())))
                .putMetrics("held_keepalives", Long.toString(leases.heldCount()))
                .putMetrics("held_acquires", Long.toString(master.lockWaits().heldCount()))
                .putMetrics("locks_held", Integer.toString(machine.read(s -> s.heldLockCount())))
                .putMetrics("keepalives", Long.toString(policy.keepAlivesReceived()))
                .putMetrics("events_sent", Long.toString(leases.eventsSent()))
                .putMetrics("invalidations_sent", Long.toString(leases.invalidationsSent()))
                .putMetrics("session_lease_ms", Long.toString(settings.leaseMillis()))
                .putMetrics("lease_ms", Long.toString(policy.leaseMillis()))
                .putMetrics("lease_ceiling_ms", Long.toString(machine.read(s -> s.leaseCeilingMillis())))
                .putMetrics("sessions", Integer.toString(leases.sessionCount()))
                .putMetrics("keepalives_per_s", String.format(Locale.ROOT, "%.1f", policy.keepAlivesPerSecond()))
                .putMetrics("cache_tracked_paths", Integer.toString(cache.trackedPaths()))
                .putMetrics("writes_invalidating", Integer.toString(cache.waitingWrites()))
                .putMetrics("cache_drops", Long.toString(cache.drops()))
                .putMetrics("cache_holder_wait_max_ms", Long.toString(cache.longestHolderWaitMillis()))
                .putMetrics("cell_applied_index", Long.toString(machine.appliedIndex()))
                .putMetrics("cell_checksum", Long.toString(machine.checksum()))
                .putMetrics("request_filters", Integer.toString(pipeline.filterCount()))
                .putMetrics("requests_refused_by_filters", Long.toString(pipeline.refusedByFilters()))
                .putMetrics("authorizer", pipeline.hasAuthorizer() ? "bound"
                        : settings.aclEnforced() ? "missing (enforced: refusing)" : "none")
                .putMetrics("requests_denied", Long.toString(pipeline.deniedByAuthorizer()))
                .putMetrics("feed_listeners", Integer.toString(feed.listenerCount()))
                .putMetrics("feed_dropped_changes", Long.toString(feed.droppedChanges()))
                .putMetrics("calls_on_behalf", Long.toString(delegation.carried()))
                .putMetrics("on_behalf_refused", Long.toString(delegation.refused()))
                .build();
    }

    void admin(ClientConnection conn, Request req) {
        AdminShell shell = adminShell;
        if (shell == null) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "no admin shell deployed in this replica");
        }
        adminExecutor.execute(() -> {
            try {
                AdminShell.Result r = shell.execute(req.getAdmin().getCommandLine());
                Wire.send(conn, Wire.reply(req).setAdmin(AdminReply.newBuilder().setOutput(r.output())
                        .setStatus(r.status())).build());
            } catch (RuntimeException e) {
                log.warn("admin command failed conn={} cause={}", conn.id(), e.toString());
                Wire.send(conn, Wire.error(req.getCallId(), ErrorCode.INTERNAL, "admin command failed: " + e));
            }
        });
    }

    void close() {
        adminExecutor.shutdownNow();
    }
}
