package io.chubby.cell.internal;

import io.chubby.api.NodePath;
import io.chubby.cell.internal.calls.Partitioning;
import io.chubby.cell.internal.master.Wire;
import io.chubby.cell.internal.state.Partitions;
import io.chubby.protocol.GroupStatus;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.Partitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Partitioning} of a {@link CellHost} (docs/PARTITIONING.md sections 1.1 and 3): the
 * partition map built from every open group's consensus, the partition of a path from the bound
 * {@link Partitioner}, and the groups' statuses. The partitioner is used only while its N and
 * hash equal the recorded ones ({@link #matching()}); one that does not is ignored with one WARN,
 * and the cell then refuses node and session calls (section 1.1) until a matching one is bound.
 * In a cell of one partition nothing here is consulted beyond {@link #partitioned()}: locations are
 * returned unchanged. Thread-safe: the partitioner is a volatile field (DS binds the new one
 * before it unbinds the old one, so unbinding clears only the one it names).
 */
final class HostPartitioning implements Partitioning {
    private static final Logger log = LoggerFactory.getLogger(HostPartitioning.class);

    private final CellHost host;
    private final String cell;
    /** Why the bound partitioner's N could not be recorded ({@link PartitionRecorder}), or null. */
    private final Supplier<String> recordRefusal;
    private volatile Partitioner partitioner;

    HostPartitioning(CellHost host, String cell, Supplier<String> recordRefusal) {
        this.host = host;
        this.cell = cell;
        this.recordRefusal = recordRefusal;
    }

    void bind(Partitioner p) {
        partitioner = p;
        Partitions recorded = host.partitions();
        if (recorded.count() > 1 && !matches(p, recorded)) {
            log.warn("partitioner ignored: {}; fix: configure partition.count={} (PID io.chubby.partition) on this "
                    + "replica, as the cell recorded", mismatch(p, recorded), recorded.count());
        } else {
            log.info("partitioner bound partitions={} hash={} recorded={}", p.partitions(), p.hashName(),
                    recorded.count());
        }
    }

    /** The bound partitioner, matching or not (null while none is bound). */
    Partitioner bound() {
        return partitioner;
    }

    void unbind(Partitioner p) {
        if (partitioner == p) {
            partitioner = null;
        }
    }

    @Override
    public boolean partitioned() {
        return host.partitions().count() > 1;
    }

    /** The bound partitioner when it partitions as recorded, else null (always null while nothing is bound). */
    Partitioner matching() {
        Partitioner p = partitioner;
        return p != null && matches(p, host.partitions()) ? p : null;
    }

    /** Whether {@code p} partitions as {@code recorded} says (N and hash). */
    static boolean matches(Partitioner p, Partitions recorded) {
        return p.partitions() == recorded.count() && p.hashName().equals(recorded.hashName());
    }

    /** Why calls are refused in a partitioned cell: no partitioner, or one of another N or hash. */
    String whyNotRoutable() {
        Partitions recorded = host.partitions();
        Partitioner p = partitioner;
        return "this cell is partitioned " + recorded.count() + " ways (" + recorded.hashName() + ") and "
                + (p == null ? "no partitioner is deployed" : "the deployed partitioner does not match: "
                + mismatch(p, recorded)) + "; deploy the partitioning bundle configured alike and retry";
    }

    @Override
    public String routing() {
        Partitions recorded = host.partitions();
        Partitioner p = partitioner;
        if (recorded.count() <= 1) {
            return p == null || p.partitions() <= 1 ? null : unrecorded(p, recorded);
        }
        if (p == null) {
            return "missing (" + recorded.count() + " " + recorded.hashName() + " recorded)";
        }
        return matches(p, recorded) ? recorded.count() + " " + recorded.hashName() : "mismatch (" + mismatch(p,
                recorded) + ")";
    }

    /** A partitioner of N > 1 bound on a cell of one partition: being recorded, or refused. */
    private String unrecorded(Partitioner p, Partitions recorded) {
        String refused = recordRefusal.get();
        return refused != null ? "mismatch (" + refused + ")" : "recording (bound " + p.partitions() + " "
                + p.hashName() + ", recorded " + recorded.count() + ")";
    }

    /** The bound and the recorded N and hash, for a message. */
    static String mismatch(Partitioner p, Partitions recorded) {
        return "bound " + p.partitions() + " " + p.hashName() + ", recorded " + recorded.count() + " "
                + recorded.hashName();
    }

    @Override
    public int partitionOf(NodePath node) {
        Partitioner p = matching();
        return p == null || !partitioned() ? -1 : p.partitionOf(node);
    }

    @Override
    public int partitionOfChildren(NodePath dir) {
        Partitioner p = matching();
        return p == null || !partitioned() ? -1 : p.partitionOfChildren(dir);
    }

    @Override
    public MasterLocation locate(MasterLocation own, int partition) {
        Partitions recorded = host.partitions();
        if (recorded.count() <= 1) {
            return own;
        }
        CellServer server = host.server(partition);
        MasterLocation.Builder b = server == null
                ? own.toBuilder().setMasterId(0).clearMasterAddress().setEpoch(0)
                : Wire.location(cell, server.consensus()).toBuilder();
        b.setPartitions(recorded.count()).setPartitionHash(recorded.hashName()).setPartition(partition);
        for (int g = 0; g < recorded.count(); g++) {
            b.addPartitionMasters(masterOf(g));
        }
        return b.build();
    }

    /** Group {@code g}'s master as this replica knows it (master 0 while the group is not open here). */
    private PartitionMaster masterOf(int g) {
        PartitionMaster.Builder m = PartitionMaster.newBuilder().setPartition(g);
        CellServer s = host.server(g);
        if (s == null) {
            return m.build();
        }
        Consensus c = s.consensus();
        int master = Wire.knownMaster(c);
        m.setMasterId(master).setEpoch(c.epoch());
        for (Member member : c.members()) {
            if (member.id() == master) {
                m.setMasterAddress(member.clientAddress());
            }
        }
        return m.build();
    }

    @Override
    public List<GroupStatus> groups() {
        if (!partitioned()) {
            return List.of();
        }
        List<GroupStatus> out = new ArrayList<>();
        for (int g : host.openGroups()) {
            CellServer s = host.server(g);
            if (s == null) {
                continue;
            }
            ConsensusStatus c = s.consensus().status();
            out.add(GroupStatus.newBuilder().setGroup(g).setRole(c.role()).setMasterId(c.masterId())
                    .setEpoch(c.epoch()).setCommitIndex(c.commitIndex()).setAppliedIndex(c.appliedIndex())
                    .setChecksum(c.checksum()).setFirstLogIndex(c.firstLogIndex()).setLeaseValid(c.leaseValid())
                    .setSessions(s.sessionCount()).setNodes(s.nodeCount()).build());
        }
        return out;
    }
}
