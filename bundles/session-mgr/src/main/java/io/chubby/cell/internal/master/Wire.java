package io.chubby.cell.internal.master;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Stat;
import io.chubby.protocol.DirEntryMessage;
import io.chubby.protocol.Error;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.ReadDirReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatMessage;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Consensus;
import io.chubby.spi.Member;
import java.util.List;

/** Conversions between API types and the client protocol's messages. Stateless. */
public final class Wire {
    private Wire() {
    }

    public static StatMessage stat(Stat s) {
        return StatMessage.newBuilder().setInstance(s.instance()).setContentGeneration(s.contentGeneration())
                .setLockGeneration(s.lockGeneration()).setAclGeneration(s.aclGeneration()).setChecksum(s.checksum())
                .setSize(s.size()).setDirectory(s.directory()).setEphemeral(s.ephemeral()).setReadAcl(s.readAcl())
                .setWriteAcl(s.writeAcl()).setChangeAcl(s.changeAcl()).setCreatedMs(s.createdMillis())
                .setModifiedMs(s.modifiedMillis()).build();
    }

    public static ReadDirReply readDir(List<DirEntry> entries) {
        ReadDirReply.Builder b = ReadDirReply.newBuilder();
        for (DirEntry e : entries) {
            b.addEntries(DirEntryMessage.newBuilder().setName(e.name()).setStat(stat(e.stat())));
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
    static int knownMaster(Consensus consensus) {
        int master = consensus.masterId();
        return master == consensus.self().id() && !consensus.isMaster() ? 0 : master;
    }

    /** NOT_MASTER for a call, with where the master is (or that none is known yet). */
    public static Response notMaster(long callId, String cell, Consensus consensus) {
        int master = knownMaster(consensus);
        String where = master != 0 ? "the master is replica " + master
                : consensus.masterId() == consensus.self().id() ? "its master lease has lapsed and no other master is "
                        + "known yet; ask the other replicas"
                : "no master is known yet; retry shortly";
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire())
                        .setMessage("replica " + consensus.self().id() + " is not the master: " + where))
                .setMaster(location(cell, consensus)).build();
    }

    /** WRONG_EPOCH for a call made at another epoch than the master's, with where the master is. */
    public static Response wrongEpoch(long callId, long callEpoch, String cell, Consensus consensus) {
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.WRONG_EPOCH.wire())
                        .setMessage("request is for epoch " + callEpoch + " but the master is at epoch "
                                + consensus.epoch() + "; flush state from the old master and retry"))
                .setMaster(location(cell, consensus)).build();
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
