package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.MasterInfo;
import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.ReplicaStatus;
import io.chubby.protocol.Create;
import io.chubby.protocol.DirEntryMessage;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.OpenModeBit;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatMessage;
import io.chubby.protocol.StatusReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Conversions between protocol messages and API types. Stateless. */
final class Wire {
    private Wire() {
    }

    static Stat stat(StatMessage m) {
        return new Stat(m.getInstance(), m.getContentGeneration(), m.getLockGeneration(), m.getAclGeneration(),
                m.getChecksum(), m.getSize(), m.getDirectory(), m.getEphemeral(), m.getReadAcl(), m.getWriteAcl(),
                m.getChangeAcl(), m.getCreatedMs(), m.getModifiedMs(), m.getPartition());
    }

    static List<DirEntry> entries(List<DirEntryMessage> list) {
        List<DirEntry> out = new ArrayList<>(list.size());
        for (DirEntryMessage e : list) {
            out.add(new DirEntry(e.getName(), stat(e.getStat())));
        }
        return List.copyOf(out);
    }

    static OpenRequest open(String path, byte[] dirHandle, OpenOptions o) {
        int bits = 0;
        for (OpenMode m : o.modes()) {
            bits |= switch (m) {
                case READ -> OpenModeBit.READ_VALUE;
                case WRITE -> OpenModeBit.WRITE_VALUE;
                case CHANGE_ACL -> OpenModeBit.CHANGE_ACL_VALUE;
            };
        }
        int events = 0;
        for (EventType t : o.events()) {
            events |= 1 << EventKind.valueOf(t.name()).getNumber();
        }
        OpenRequest.Builder b = OpenRequest.newBuilder()
                .setPath(path)
                .setModeBits(bits)
                .setCreate(create(o.create()))
                .setDirectory(o.directory())
                .setEphemeral(o.ephemeral())
                .setInitialContents(ByteString.copyFrom(o.initialContents()))
                .setReadAcl(nz(o.readAcl()))
                .setWriteAcl(nz(o.writeAcl()))
                .setChangeAcl(nz(o.changeAcl()))
                .setEventMask(events)
                .setLockDelayMs(o.lockDelayMillis())
                .setHonoursUncacheable(true); // an absence answered uncacheable is not kept (ClientCore)
        if (dirHandle != null) {
            b.setDirHandle(ByteString.copyFrom(dirHandle));
        }
        return b.build();
    }

    private static Create create(CreateMode m) {
        return switch (m) {
            case NO -> Create.CREATE_NO;
            case MAY -> Create.CREATE_MAY;
            case MUST -> Create.CREATE_MUST;
        };
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * The error of a failed response as the API's exception. A server before api 1.1 answered an
     * unknown outcome as CELL_UNAVAILABLE "outcome unknown ..."; that becomes OUTCOME_UNKNOWN, so
     * callers see one code for it whichever server they reach.
     */
    static ChubbyException error(Response r) {
        ErrorCode code = ErrorCode.fromWire(r.getError().getCode());
        String msg = r.getError().getMessage();
        if (code == ErrorCode.CELL_UNAVAILABLE && isLegacyOutcomeUnknown(msg)) {
            code = ErrorCode.OUTCOME_UNKNOWN;
        }
        String text = msg.isEmpty() ? code.description() : msg;
        return r.getError().getUncacheable() ? new UncacheableAnswer(code, text) : new ChubbyException(code, text);
    }

    /** Whether a CELL_UNAVAILABLE message is an older server's way of saying OUTCOME_UNKNOWN. */
    static boolean isLegacyOutcomeUnknown(String message) {
        return message.toLowerCase(java.util.Locale.ROOT).contains("outcome unknown");
    }

    /** The kind of an encoded request for messages, e.g. "set_contents"; "unknown" if it does not parse. */
    static String kind(byte[] request) {
        try {
            return Request.parseFrom(request).getBodyCase().name().toLowerCase(Locale.ROOT);
        } catch (InvalidProtocolBufferException e) {
            return "unknown";
        }
    }

    static MasterInfo masterInfo(MasterLocation m) {
        return new MasterInfo(m.getCell(), m.getMasterId(),
                m.getMasterAddress().isEmpty() ? null : m.getMasterAddress(), m.getEpoch(), m.getReplicasList(),
                m.getPartitions());
    }

    static ReplicaStatus status(StatusReply s) {
        return new ReplicaStatus(s.getReplicaId(), s.getRole(), s.getMasterId(), s.getEpoch(), s.getCommitIndex(),
                s.getAppliedIndex(), s.getChecksum(), s.getFirstLogIndex(), s.getLeaseValid(), s.getSessions(),
                s.getNodes(), s.getAddress(), s.getPid(), s.getMetricsMap(), s.getGroupsList().stream()
                .map(g -> new ReplicaStatus.Group(g.getGroup(), g.getRole(), g.getMasterId(), g.getEpoch(),
                        g.getCommitIndex(), g.getAppliedIndex(), g.getChecksum(), g.getFirstLogIndex(),
                        g.getLeaseValid(), g.getSessions(), g.getNodes())).toList());
    }

    /** The application's event for {@code e}, delivered by partition {@code partition}'s session. */
    static Event event(EventMessage e, int partition) {
        EventType t;
        try {
            t = EventType.valueOf(e.getKind().name());
        } catch (IllegalArgumentException unknown) {
            return null; // a newer server's event kind: nothing the application could subscribe to
        }
        return new Event(t, e.getPath(), e.getChild().isEmpty() ? null : e.getChild(), e.getGeneration(), partition);
    }
}
