package io.chubby.cell.internal.calls;

import io.chubby.api.NodePath;
import io.chubby.protocol.GroupStatus;
import io.chubby.protocol.MasterLocation;
import java.util.List;

/**
 * What a group's {@link CallRouter} knows of the partitioned cell around it (docs/PARTITIONING.md
 * section 3): where each partition's master is, which partition holds a node, and every open
 * group's status. {@link #NONE} is a cell of one partition: locations carry no map, no path is
 * checked, Status lists no groups, so every answer is byte for byte what it was before partitions.
 * Implemented by the cell host, which reads the recorded N and the bound partitioner on each call.
 */
public interface Partitioning {
    /** A cell of one partition. */
    Partitioning NONE = new Partitioning() {
        @Override
        public boolean partitioned() {
            return false;
        }

        @Override
        public MasterLocation locate(MasterLocation own, int partition) {
            return own;
        }

        @Override
        public int partitionOf(NodePath node) {
            return -1;
        }

        @Override
        public List<GroupStatus> groups() {
            return List.of();
        }

        @Override
        public String routing() {
            return null;
        }
    };

    /** Whether the cell records more than one partition (read on each call: it is recorded once, at any time). */
    boolean partitioned();

    /**
     * The location to answer for {@code partition}: {@code own} (the location its group's
     * consensus gives) in a cell of one partition; otherwise partition {@code partition}'s master,
     * with the whole map and {@code partition} set.
     */
    MasterLocation locate(MasterLocation own, int partition);

    /** The partition that holds {@code node}, or -1 when calls are not checked (one partition). */
    int partitionOf(NodePath node);

    /**
     * The partition that holds directory {@code dir}'s children and anchor (where an Open with
     * {@code directory_watch} belongs), or -1 when calls are not checked (one partition).
     */
    default int partitionOfChildren(NodePath dir) {
        return -1;
    }

    /** Every group open on this replica (empty in a cell of one partition). */
    List<GroupStatus> groups();

    /**
     * Status metric {@code partitioning} of a partitioned cell: N and the hash while calls are
     * routed, else why they are refused (no partitioner, or one of another N or hash); in a cell of
     * one partition null (no metric) unless a partitioner of N > 1 is bound: then
     * {@code recording (...)} while the record is being made, {@code mismatch (...)} once it cannot be.
     */
    String routing();
}
