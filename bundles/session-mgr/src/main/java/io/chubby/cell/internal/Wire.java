package io.chubby.cell.internal;

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
import io.chubby.spi.Consensus;
import io.chubby.spi.Member;
import java.util.List;

/** Conversions between API types and the client protocol's messages. Stateless. */
final class Wire {
    private Wire() {
    }

    static StatMessage stat(Stat s) {
        return StatMessage.newBuilder().setInstance(s.instance()).setContentGeneration(s.contentGeneration())
                .setLockGeneration(s.lockGeneration()).setAclGeneration(s.aclGeneration()).setChecksum(s.checksum())
                .setSize(s.size()).setDirectory(s.directory()).setEphemeral(s.ephemeral()).setReadAcl(s.readAcl())
                .setWriteAcl(s.writeAcl()).setChangeAcl(s.changeAcl()).setCreatedMs(s.createdMillis())
                .setModifiedMs(s.modifiedMillis()).build();
    }

    static ReadDirReply readDir(List<DirEntry> entries) {
        ReadDirReply.Builder b = ReadDirReply.newBuilder();
        for (DirEntry e : entries) {
            b.addEntries(DirEntryMessage.newBuilder().setName(e.name()).setStat(stat(e.stat())));
        }
        return b.build();
    }

    static MasterLocation location(String cell, Consensus consensus) {
        int masterId = consensus.masterId();
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

    static Response.Builder reply(Request req) {
        return Response.newBuilder().setCallId(req.getCallId());
    }

    static Response error(long callId, ErrorCode code, String message) {
        return Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(code.wire()).setMessage(message)).build();
    }

    static Response error(Request req, ChubbyException e) {
        return error(req.getCallId(), e.code(), e.detail());
    }
}
