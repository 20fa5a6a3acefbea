package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.Mastership;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.replica.ChangeFeed;
import io.chubby.cell.internal.state.AnchorHandles;
import io.chubby.cell.internal.state.Modes;
import io.chubby.protocol.Request;
import io.chubby.protocol.StatusReply;
import io.chubby.spi.AdminShell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.RequestFilter;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every client call of a replica: decodes the wire request once, applies the checks every
 * call shares (mastership, epoch, live session), decodes the call's handle or path
 * ({@link RequestDecoder}), passes it through admission ({@link RequestPipeline}: filters, then the
 * authorizer) and hands it to the class that answers it: {@link CellCalls} (location, status,
 * admin; any replica), {@link SessionCalls}, {@link FileCalls}, {@link LockCalls} (master only).
 * Every refusal is a typed error answered on the connection; an unexpected exception is answered
 * INTERNAL and logged, never thrown to the transport. Thread-safe; called on transport I/O
 * threads, in order per connection.
 */
public final class CallRouter {
    private static final Logger log = LoggerFactory.getLogger(CallRouter.class);

    private final Consensus consensus;
    private final CellSettings settings;
    private final Mastership master;
    private final RequestDecoder decoder;
    private final RequestPipeline pipeline;
    private final CellCalls cell;
    private final SessionCalls sessions;
    private final FileCalls files;
    private final LockCalls locks;
    private final Delegation delegation;
    private final int group;
    private final Partitioning partitioning;

    public CallRouter(Consensus consensus, CellSettings settings, Clock clock, CellStateMachine machine,
                      Mastership master, NamespaceView namespace, ChangeFeed feed) {
        this(consensus, settings, clock, machine, master, namespace, feed, 0, Partitioning.NONE);
    }

    /** The router of Paxos group {@code group} of a cell partitioned as {@code partitioning} says. */
    public CallRouter(Consensus consensus, CellSettings settings, Clock clock, CellStateMachine machine,
                      Mastership master, NamespaceView namespace, ChangeFeed feed, int group,
                      Partitioning partitioning) {
        this.group = group;
        this.partitioning = partitioning;
        this.consensus = consensus;
        this.settings = settings;
        this.master = master;
        this.decoder = new RequestDecoder(machine, settings.cellName());
        this.pipeline = new RequestPipeline(settings.aclEnforced(), namespace);
        this.delegation = new Delegation(settings.proxyPrincipals());
        this.cell = new CellCalls(consensus, settings, machine, master, pipeline, feed, delegation, group,
                partitioning);
        this.sessions = new SessionCalls(machine, master, clock, delegation);
        this.files = new FileCalls(machine, master.proposer(), settings, clock, master.writes(), master.cache(),
                master.directories(), group);
        this.locks = new LockCalls(machine, master.proposer(), master.lockWaits(), clock);
    }

    /** Serves one encoded request. */
    public void route(ClientConnection conn, byte[] bytes) {
        Request req = Wire.decode(conn, bytes);
        if (req != null) {
            route(conn, req);
        }
    }

    /** Serves one decoded request (the cell host's router decoded it to pick this group). */
    public void route(ClientConnection conn, Request req) {
        try {
            dispatch(conn, req);
        } catch (ChubbyException e) {
            Wire.send(conn, e.code() == ErrorCode.NOT_MASTER ? master.notMaster(req.getCallId()) : Wire.error(req, e));
        } catch (RuntimeException e) {
            log.error("request failed conn={} call={} body={}", conn.id(), req.getCallId(), req.getBodyCase(), e);
            Wire.send(conn, Wire.error(req.getCallId(), ErrorCode.INTERNAL, "internal error: " + e));
        }
    }

    private void dispatch(ClientConnection transportConn, Request req) {
        // A trusted proxy's call for one of its clients is that client's from here on (Delegation).
        ClientConnection conn = delegation.actingFor(transportConn, req.getOnBehalfOf());
        CellOperation op = RequestDecoder.operation(req);
        switch (op) {
            case MASTER_LOCATION -> {
                pipeline.admit(Call.of(conn, req, op));
                cell.masterLocation(conn, req);
            }
            case STATUS -> {
                pipeline.admit(Call.of(conn, req, op));
                cell.status(conn, req);
            }
            case ADMIN -> {
                pipeline.admit(Call.of(conn, req, op));
                cell.admin(conn, req);
            }
            default -> masterOnly(conn, req, op);
        }
    }

    private void masterOnly(ClientConnection conn, Request req, CellOperation op) {
        if (!consensus.isMaster()) {
            Wire.send(conn, master.notMaster(req.getCallId()));
            return;
        }
        if (req.getEpoch() != 0 && req.getEpoch() != consensus.epoch()) {
            Wire.send(conn, Wire.wrongEpoch(req.getCallId(), req.getEpoch(), consensus,
                    partitioning.locate(Wire.location(settings.cellName(), consensus), group)));
            return;
        }
        if (!master.tookOver(consensus.epoch())) {
            // Nothing applied, so retryable by any client: a session judged now would be judged by
            // an earlier mastership's lease table (Mastership.tookOver).
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the master is taking over (the session "
                    + "leases of epoch " + consensus.epoch() + " are not extended yet); retry shortly");
        }
        if (op == CellOperation.CREATE_SESSION) {
            pipeline.admit(Call.of(conn, req, op));
            sessions.create(conn, req);
            return;
        }
        if (req.hasGroupKeepAlive()) {
            pipeline.admit(Call.of(conn, req, op)); // a KEEP_ALIVE to plug-ins; each member is checked inside
            sessions.groupKeepAlive(conn, req);
            return;
        }
        sessions.requireLive(conn, req.getSessionId());
        if (!master.settled() && op != CellOperation.KEEP_ALIVE && op != CellOperation.CLOSE_SESSION) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the master is still taking over (the entries "
                    + "of the previous mastership are being settled); retry shortly");
        }
        switch (op) {
            case KEEP_ALIVE -> {
                pipeline.admit(Call.of(conn, req, op));
                sessions.keepAlive(conn, req);
            }
            case CLOSE_SESSION -> {
                pipeline.admit(Call.of(conn, req, op));
                sessions.close(conn, req);
            }
            default -> {
                master.leases().touch(req.getSessionId());
                Call call = decoder.decode(conn, req, op);
                if (inAnotherPartition(call)) {
                    return;
                }
                refuseOnAnchorHandle(call);
                pipeline.admit(call);
                nodeCall(call);
            }
        }
    }

    /**
     * A call whose node another partition holds (a stale map, or a client that routes by another
     * hash) is answered WRONG_PARTITION with the map, before any plug-in sees it: nothing applied.
     */
    private boolean inAnotherPartition(Call call) {
        if (!partitioning.partitioned()) {
            return false;
        }
        var path = call.path();
        // An anchor handle, and the Open of one, belong to the partition of the directory's children (4.3).
        boolean watch = call.op == CellOperation.OPEN ? call.req.getOpen().getDirectoryWatch()
                : call.handle != null && Modes.isAnchor(call.handle.modeBits());
        int home = path == null ? -1 : watch ? partitioning.partitionOfChildren(path) : partitioning.partitionOf(path);
        if (home < 0 || home == group) {
            return false;
        }
        Wire.send(call.conn, Wire.wrongPartition(call.req.getCallId(), path + " is held by partition " + home
                + ", not " + group + "; take the partition map in this answer and call partition " + home,
                partitioning.locate(Wire.location(settings.cellName(), consensus), home)));
        return true;
    }

    /**
     * An anchor handle (docs/PARTITIONING.md 4.3) serves ReadDir and Close only: any other call on it
     * is refused INVALID_ARGUMENT before a plug-in sees it.
     */
    private static void refuseOnAnchorHandle(Call call) {
        if (call.handle != null && Modes.isAnchor(call.handle.modeBits()) && call.op != CellOperation.READ_DIR
                && call.op != CellOperation.CLOSE) {
            throw AnchorHandles.refused(call.handle.handleId(), call.path(), call.op);
        }
    }

    private void nodeCall(Call call) {
        switch (call.op) {
            case OPEN -> files.open(call);
            case CLOSE -> files.close(call);
            case GET_CONTENTS -> files.getContents(call);
            case GET_STAT -> files.getStat(call);
            case READ_DIR -> files.readDir(call);
            case SET_CONTENTS -> files.setContents(call);
            case SET_ACL -> files.setAcl(call);
            case DELETE -> files.delete(call);
            case ACQUIRE -> locks.acquire(call);
            case RELEASE -> locks.release(call);
            case GET_SEQUENCER -> locks.getSequencer(call);
            case CHECK_SEQUENCER -> locks.checkSequencer(call);
            case SET_SEQUENCER -> locks.setSequencer(call);
            case LOCK_INFO -> locks.lockInfo(call);
            default -> throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s is not a call on a node", call.op);
        }
    }

    // ------------------------------------------------------------ plug-ins (whiteboard binding)

    public void addFilter(RequestFilter filter, int ranking, long serviceId) {
        pipeline.addFilter(filter, ranking, serviceId);
    }

    public void removeFilter(RequestFilter filter) {
        pipeline.removeFilter(filter);
    }

    public void addAuthorizer(Authorizer authorizer, int ranking, long serviceId) {
        pipeline.addAuthorizer(authorizer, ranking, serviceId);
    }

    public void removeAuthorizer(Authorizer authorizer) {
        pipeline.removeAuthorizer(authorizer);
    }

    public void setAdminShell(AdminShell shell) {
        cell.setAdminShell(shell);
    }

    public void unsetAdminShell(AdminShell shell) {
        cell.unsetAdminShell(shell);
    }

    /** This replica's Status answer (status commands, tests, benchmarks). */
    public StatusReply status() {
        return cell.status();
    }

    public void close() {
        cell.close();
    }
}
