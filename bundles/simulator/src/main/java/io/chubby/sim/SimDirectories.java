package io.chubby.sim;

import io.chubby.api.NodePath;
import io.chubby.testkit.HashPartitioner;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories of the directory workload (cell-relative), children of the root so their nodes
 * live in the workload group, and the partitions their children live in: spread over the other
 * partitions (with N = 2, one of them has its children beside its node). The first {@link #plain}
 * are plain directories; as many after them are the names of ephemeral directories (created by a
 * session and reaped, docs/PARTITIONING.md 4.3), one per partition of the plain ones' children.
 * Empty with one partition. Immutable.
 */
final class SimDirectories {
    static final SimDirectories NONE = new SimDirectories(List.of(), List.of());

    private final List<String> directories;
    private final List<Integer> childrenPartitions;

    private SimDirectories(List<String> directories, List<Integer> childrenPartitions) {
        this.directories = directories;
        this.childrenPartitions = childrenPartitions;
    }

    /**
     * Three plain directories whose children live in partitions {@code C+1, C+2, C+3 mod N} (C the
     * workload group): the first name {@code /dirK-J} that hashes there, for each; then three
     * ephemeral ones, {@code /ephK-J}, the same way.
     */
    static SimDirectories spread(int partitions, int workloadGroup) {
        HashPartitioner hash = new HashPartitioner(partitions);
        List<String> dirs = new ArrayList<>();
        List<Integer> children = new ArrayList<>();
        for (String prefix : List.of("/dir", "/eph")) {
            for (int k = 0; k < PLAIN; k++) {
                int want = (workloadGroup + 1 + k) % partitions;
                for (int j = 0; ; j++) {
                    String dir = prefix + k + "-" + j;
                    if (hash.partitionOfChildren(NodePath.parse("/ls/local" + dir)) == want) {
                        dirs.add(dir);
                        children.add(want);
                        break;
                    }
                }
            }
        }
        return new SimDirectories(List.copyOf(dirs), List.copyOf(children));
    }

    /** The number of plain directories (and of ephemeral ones): numbers {@code 0..PLAIN-1} are plain. */
    static final int PLAIN = 3;

    /** Every directory, plain and ephemeral. */
    int count() {
        return directories.size();
    }

    /** The number of plain directories (none with one partition). */
    int plain() {
        return Math.min(PLAIN, directories.size());
    }

    /** Whether directory {@code k} is one of the ephemeral ones. */
    boolean ephemeral(int k) {
        return k >= PLAIN;
    }

    /** Directory {@code k}, cell-relative. */
    String directory(int k) {
        return directories.get(k);
    }

    int childrenPartition(int k) {
        return childrenPartitions.get(k);
    }

    /** Whether {@code path} (cell-relative) is one of the ephemeral directories. */
    boolean ephemeral(String path) {
        int k = directories.indexOf(path);
        return k >= 0 && ephemeral(k);
    }

    /** The plain ({@code ephemeral} false) or ephemeral directories whose children live in partition {@code p}. */
    List<Integer> on(int p, boolean ephemeral) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < directories.size(); k++) {
            if (childrenPartitions.get(k) == p && ephemeral(k) == ephemeral) {
                out.add(k);
            }
        }
        return out;
    }

    /** The directory (its number) of a file of the directory workload. */
    int of(String file) {
        return directories.indexOf(file.substring(0, file.lastIndexOf('/')));
    }
}
