package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import java.util.ArrayList;
import java.util.List;

/**
 * Which partition holds a path and who masters each partition, as the cell last told this client
 * (docs/PARTITIONING.md section 3): the number of partitions N, the hash's name, and per partition
 * its master's id, client address and epoch. Node {@code D/C} is on {@code slot(D) mod N}
 * ({@link PartitionHash}, the only place paths are hashed); the root on partition 0. A cell of one
 * partition (N absent or 1) is the map {@link #ONE}: everything on partition 0.
 *
 * <p>Immutable: {@link #learn} answers a new map. A partition's entry is replaced only by a newer
 * epoch (or, at the same epoch, by a known master where none was known); an older one is ignored.
 */
final class PartitionMap {
    /** A partition's master: id 0 and a null address when none is known. */
    record Master(int id, String address, long epoch) {
        boolean known() {
            return id != 0 && address != null;
        }

        /** Whether this entry should replace {@code old}: newer, or as new and knowing more. */
        boolean supersedes(Master old) {
            return epoch > old.epoch || (epoch == old.epoch && known() && !old.known());
        }
    }

    private static final Master UNKNOWN = new Master(0, null, 0);
    /** A cell of one partition whose master is not known yet. */
    static final PartitionMap ONE = new PartitionMap(PartitionHash.NAME, List.of(UNKNOWN));

    private final String hash;
    private final List<Master> masters; // index = partition; size = N

    private PartitionMap(String hash, List<Master> masters) {
        this.hash = hash;
        this.masters = List.copyOf(masters);
    }

    /** The map a MasterLocation (an answer, or the location in a refusal) describes. */
    static PartitionMap of(MasterLocation m) {
        return ONE.learn(m);
    }

    /** The number of partitions N (at least 1). */
    int count() {
        return masters.size();
    }

    /** Whether the cell has more than one partition. */
    boolean partitioned() {
        return masters.size() > 1;
    }

    /** Partition {@code p}'s master as known (id 0, null address when not known). */
    Master master(int p) {
        return p >= 0 && p < masters.size() ? masters.get(p) : UNKNOWN;
    }

    /**
     * The partition that holds the node at the absolute {@code path} ({@code /ls/cell/...}).
     *
     * @throws ChubbyException INVALID_ARGUMENT for a malformed path; CELL_UNAVAILABLE when the
     *     cell hashes paths with a function this client does not know
     */
    int partitionOf(String path) {
        return partitionOf(NodePath.parse(path));
    }

    int partitionOf(NodePath node) {
        return node.isRoot() ? 0 : partitionOfChildren(node.parent());
    }

    /**
     * The partition that holds the children (and the anchor) of the directory at {@code dir}: the
     * partition of its node's children, {@code partitionOf(dir/x)}; 0 in a cell of one partition.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when the cell hashes paths with a function this
     *     client does not know
     */
    int partitionOfChildren(NodePath dir) {
        if (!partitioned()) {
            return 0;
        }
        if (!PartitionHash.NAME.equals(hash)) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "the cell places nodes with hash '" + hash
                    + "'; this client knows only " + PartitionHash.NAME);
        }
        return PartitionHash.slotOf(dir) % masters.size();
    }

    /**
     * This map updated by what {@code m} says: a different N replaces the whole map (the cell was
     * partitioned since, or this map was a guess); otherwise each partition's entry is replaced by
     * a newer one. The top-level master fields describe partition {@code m.partition}.
     */
    PartitionMap learn(MasterLocation m) {
        int n = Math.max(1, m.getPartitions());
        String h = m.getPartitionHash().isEmpty() ? PartitionHash.NAME : m.getPartitionHash();
        List<Master> next = new ArrayList<>(n == masters.size() && h.equals(hash) ? masters
                : java.util.Collections.nCopies(n, UNKNOWN));
        for (PartitionMaster pm : m.getPartitionMastersList()) {
            merge(next, pm.getPartition(), master(pm.getMasterId(), pm.getMasterAddress(), pm.getEpoch()));
        }
        merge(next, m.getPartition(), master(m.getMasterId(), m.getMasterAddress(), m.getEpoch()));
        return new PartitionMap(h, next);
    }

    /** This map with partition {@code p}'s master replaced by {@code m} if it is newer. */
    PartitionMap learn(int p, Master m) {
        List<Master> next = new ArrayList<>(masters);
        merge(next, p, m);
        return next.equals(masters) ? this : new PartitionMap(hash, next);
    }

    /**
     * This map with partition {@code p}'s master forgotten (same epoch, unknown) if it is at
     * {@code address}: it could not be reached, so it is looked for again.
     */
    PartitionMap forget(int p, String address) {
        Master m = master(p);
        if (!m.known() || !m.address().equals(address)) {
            return this;
        }
        List<Master> next = new ArrayList<>(masters);
        next.set(p, new Master(0, null, m.epoch()));
        return new PartitionMap(hash, next);
    }

    private static void merge(List<Master> into, int p, Master m) {
        if (p >= 0 && p < into.size() && m.supersedes(into.get(p))) {
            into.set(p, m);
        }
    }

    private static Master master(int id, String address, long epoch) {
        return new Master(id, address == null || address.isEmpty() ? null : address, epoch);
    }

    @Override
    public String toString() {
        return "PartitionMap{n=" + masters.size() + ", hash=" + hash + ", masters=" + masters + "}";
    }
}
