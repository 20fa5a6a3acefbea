package io.chubby.cell.internal.master;

import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Stat;
import io.chubby.protocol.DirEntryMessage;
import io.chubby.protocol.Error;
import io.chubby.protocol.LeavingNotice;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.ReadDirReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatMessage;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.Member;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Conversions between API types and the client protocol's messages. Stateless. */
public final class Wire {
    private static final Logger log = LoggerFactory.getLogger(Wire.class);

    private Wire() {
    }

    /** A node's Stat on the wire; {@code partition} the group that holds it (0 is unset on the wire: 1.5.0 bytes). */
    public static StatMessage stat(Stat s, int partition) {
        return StatMessage.newBuilder().setPartition(partition).setInstance(s.instance()).setContentGeneration(s.contentGeneration())
                .setLockGeneration(s.lockGeneration()).setAclGeneration(s.aclGeneration()).setChecksum(s.checksum())
                .setSize(s.size()).setDirectory(s.directory()).setEphemeral(s.ephemeral()).setReadAcl(s.readAcl())
                .setWriteAcl(s.writeAcl()).setChangeAcl(s.changeAcl()).setCreatedMs(s.createdMillis())
                .setModifiedMs(s.modifiedMillis()).build();
    }

    /** The children of a directory, all held by group {@code partition} (the group of its children). */
    public static ReadDirReply readDir(List<DirEntry> entries, int partition) {
        ReadDirReply.Builder b = ReadDirReply.newBuilder();
        for (DirEntry e : entries) {
            b.addEntries(DirEntryMessage.newBuilder().setName(e.name()).setStat(stat(e.stat(), partition)));
        }
        return b.build();
    }

    public static MasterLocation location(String cell, Consensus consensus) {
        int masterId = knownMaster(consensus);
        MasterLocation.Builder b = MasterLocation.newBuilder().setCell(cell).setMasterId(masterId)
                .setEpoch(consensus.epoch());
        for (Member m : consensus.members()) {
            b.addReplicas(m.clientAddress());
            if (m.id() == masterId) {
                b.setMasterAddress(m.clientAddress());
            }
        }
        return b.build();
    }

    /**
     * The master to send clients to: the one this replica believes in, except itself when it may
     * not serve (its lease lapsed while its Paxos role is still master, or its barrier is not yet
     * applied): pointing clients back at itself would make them loop on NOT_MASTER here while another
     * replica may already be master (seen in the whole-cell simulation).
     */
    public static int knownMaster(Consensus consensus) {
        int master = consensus.masterId();
        return master == consensus.self().id() && !consensus.isMaster() ? 0 : master;
    }

    /** NOT_MASTER for a call, with where the master is (or that none is known yet). */
    public static Response notMaster(long callId, String cell, Consensus consensus) {
        return notMaster(callId, consensus, location(cell, consensus));
    }

    /** NOT_MASTER answered with {@code where} (a partitioned cell's: the group's master and the map). */
    public static Response notMaster(long callId, Consensus consensus, MasterLocation where) {
        int master = knownMaster(consensus);
        String whereNow = master != 0 ? "the master is replica " + master
                : consensus.masterId() == consensus.self().id() ? "its master lease has lapsed and no other master is "
                        + "known yet; ask the other replicas"
                : "no master is known yet; retry shortly";
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire())
                        .setMessage("replica " + consensus.self().id() + " is not the master: " + whereNow))
                .setMaster(where).build();
    }

    /**
     * The notice a stopping replica's client acceptor sends on each connection (call id 0,
     * NOT_MASTER, {@code RequestHandler.leavingNotice}): where the master is, never this replica,
     * even while it still serves (it is leaving: the client should not come back here).
     */
    public static Response leaving(Consensus consensus, MasterLocation where) {
        int self = consensus.self().id();
        MasterLocation elsewhere = where.getMasterId() == self
                ? where.toBuilder().setMasterId(0).clearMasterAddress().build() : where;
        String whereNow = elsewhere.getMasterId() != 0 ? "the master is replica " + elsewhere.getMasterId()
                : "no other master is known yet; ask the other replicas";
        return LeavingNotice.of("replica " + self + " is leaving: " + whereNow, elsewhere);
    }

    /** WRONG_EPOCH for a call made at another epoch than the master's, with where the master is. */
    public static Response wrongEpoch(long callId, long callEpoch, String cell, Consensus consensus) {
        return wrongEpoch(callId, callEpoch, consensus, location(cell, consensus));
    }

    /** WRONG_EPOCH answered with {@code where} (a partitioned cell's: the group's master and the map). */
    public static Response wrongEpoch(long callId, long callEpoch, Consensus consensus, MasterLocation where) {
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.WRONG_EPOCH.wire())
                        .setMessage("request is for epoch " + callEpoch + " but the master is at epoch "
                                + consensus.epoch() + "; flush state from the old master and retry"))
                .setMaster(where).build();
    }

    /** WRONG_PARTITION: nothing applied; {@code where} is the map, its partition the one to call. */
    public static Response wrongPartition(long callId, String message, MasterLocation where) {
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.WRONG_PARTITION.wire()).setMessage(message))
                .setMaster(where).build();
    }

    /**
     * Decodes a client request; an undecodable one is answered PROTOCOL_ERROR (call id 0, logged)
     * and null is returned.
     */
    public static Request decode(ClientConnection conn, byte[] bytes) {
        try {
            return Request.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            log.warn("undecodable request conn={} cause={}", conn.id(), e.getMessage());
            send(conn, error(0, ErrorCode.PROTOCOL_ERROR, "undecodable request: " + e.getMessage()));
            return null;
        }
    }

    /** Sends a response if the connection is still open. */
    public static void send(ClientConnection conn, Response r) {
        if (conn.isOpen()) {
            conn.send(r.toByteArray());
        }
    }

    public static Response.Builder reply(Request req) {
        return Response.newBuilder().setCallId(req.getCallId());
    }

    public static Response error(long callId, ErrorCode code, String message) {
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(code.wire()).setMessage(message)).build();
    }

    public static Response error(Request req, ChubbyException e) {
        return error(req.getCallId(), e.code(), e.detail());
    }
}
