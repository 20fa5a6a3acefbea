package io.chubby.faults;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the workload's files go in a partitioned cell: directories {@code /ls/local/faults-d<k>}
 * chosen so that their children land on different partitions (a partitioned cell of N holds node
 * D/C on partition {@code slot(D) mod N}, {@link PartitionHash}), the registers one per directory
 * ({@code .../register}), the lock file in the first one. The directories themselves, children of
 * the root, are all on the partition of the root's children, so the registers on other partitions
 * are created across partitions (an anchor beside the directory, docs/PARTITIONING.md section 4).
 * Pure functions of N.
 */
final class PartitionedPaths {
    static final String PREFIX = "/ls/local/faults-d";

    private PartitionedPaths() {
    }

    /**
     * {@code count} directories whose children are on {@code count} different partitions of a cell
     * of {@code partitions}: the first k = 0, 1, ... of {@code /ls/local/faults-d<k>} that reach a
     * partition not reached yet.
     *
     * @throws IllegalArgumentException when count is not 1..partitions
     */
    static List<String> directories(int partitions, int count) {
        if (count < 1 || count > partitions) {
            throw new IllegalArgumentException("cannot spread " + count + " directories over " + partitions
                    + " partitions");
        }
        List<String> out = new ArrayList<>();
        Set<Integer> reached = new HashSet<>();
        for (int k = 0; out.size() < count; k++) {
            String dir = PREFIX + k;
            if (reached.add(partitionOfChildren(dir, partitions))) {
                out.add(dir);
            }
        }
        return out;
    }

    /** The partition holding the children of {@code directory} (a full name, /ls/local/...). */
    static int partitionOfChildren(String directory, int partitions) {
        return PartitionHash.slotOf(NodePath.parse(directory)) % partitions;
    }

    /** The register file of directory {@code dir}. */
    static String register(String dir) {
        return dir + "/register";
    }

    /** The lock file of the workload in a partitioned cell: in the first directory. */
    static String lock(List<String> directories) {
        return directories.get(0) + "/lock";
    }
}
