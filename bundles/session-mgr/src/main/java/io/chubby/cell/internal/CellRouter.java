package io.chubby.cell.internal;

import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.Error;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;

/**
 * The cell host's entry for client calls (docs/PARTITIONING.md section 3): decodes a request
 * once and hands it to the server of the group it is routed to. In a cell of one partition every
 * call goes to group 0, as before partitions (a call naming another partition is answered
 * WRONG_PARTITION). In a partitioned cell: MasterLocation, Status and Admin are answered by group
 * 0 (with the partition map and the groups); every other call goes to group
 * {@code Request.partition}, whose router checks the node's partition; without a matching
 * partitioner those calls are refused CELL_UNAVAILABLE (nothing applied; the groups go on
 * replicating), except the calls that keep sessions alive or end them (KeepAlive, GroupKeepAlive,
 * CloseSession): they name their group and no node, need no partitioner, and so the sessions of
 * a cell whose partitioning bundle is being replaced outlive the swap (issue 23); a CreateSession from a client that does not route by partition is refused
 * INVALID_ARGUMENT; a group not open here yet answers NOT_MASTER with the map. Thread-safe; on
 * transport I/O threads.
 */
final class CellRouter {
    private final CellHost host;
    private final HostPartitioning partitioning;

    CellRouter(CellHost host, HostPartitioning partitioning) {
        this.host = host;
        this.partitioning = partitioning;
    }

    void route(ClientConnection conn, byte[] bytes) {
        Request req = Wire.decode(conn, bytes);
        if (req == null) {
            return;
        }
        CellServer zero = host.groupZero();
        Partitions recorded = host.partitions();
        if (recorded.count() <= 1) {
            if (req.getPartition() != 0) {
                Wire.send(conn, Wire.wrongPartition(req.getCallId(), "this cell has one partition; there is no "
                        + "partition " + req.getPartition(), zero.location()));
            } else {
                zero.request(conn, req);
            }
            return;
        }
        switch (req.getBodyCase()) {
            case MASTER_LOCATION, STATUS, ADMIN, BODY_NOT_SET -> zero.request(conn, req);
            default -> toPartition(conn, req, recorded);
        }
    }

    private void toPartition(ClientConnection conn, Request req, Partitions recorded) {
        if (partitioning.matching() == null && !sessionLiveness(req)) {
            refuse(conn, req, ErrorCode.CELL_UNAVAILABLE, partitioning.whyNotRoutable(), null);
            return;
        }
        int g = req.getPartition();
        if (g >= recorded.count()) {
            refuse(conn, req, ErrorCode.WRONG_PARTITION, "this cell has " + recorded.count() + " partitions; there "
                    + "is no partition " + g, partitioning.locate(host.groupZero().location(), 0));
            return;
        }
        if (req.hasCreateSession() && !req.getCreateSession().getPartitionAware()) {
            refuse(conn, req, ErrorCode.INVALID_ARGUMENT, "this cell is partitioned " + recorded.count() + " ways; "
                    + "use a client that routes by partition (protocol 1.6.0, Java client 1.7.0)", null);
            return;
        }
        CellServer server = host.server(g);
        if (server == null) {
            refuse(conn, req, ErrorCode.NOT_MASTER, "partition " + g + " is not open on this replica yet (it is "
                    + "catching up with group 0); ask another replica", partitioning.locate(
                    host.groupZero().location(), g));
            return;
        }
        server.request(conn, req);
    }

    /** A call that keeps a session alive or ends it: it names its group and no node. */
    private static boolean sessionLiveness(Request req) {
        return switch (req.getBodyCase()) {
            case KEEP_ALIVE, GROUP_KEEP_ALIVE, CLOSE_SESSION -> true;
            default -> false;
        };
    }

    private static void refuse(ClientConnection conn, Request req, ErrorCode code, String message,
                               MasterLocation where) {
        Response.Builder r = Response.newBuilder().setCallId(req.getCallId())
                .setError(Error.newBuilder().setCode(code.wire()).setMessage(message));
        if (where != null) {
            r.setMaster(where);
        }
        Wire.send(conn, r.build());
    }
}
