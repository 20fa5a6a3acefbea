package io.chubby.sim;

import io.chubby.api.NodePath;
import io.chubby.testkit.HashPartitioner;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories of the directory workload (cell-relative), children of the root so their nodes
 * live in the workload group, and the partitions their children live in: spread over the other
 * partitions (with N = 2, one of them has its children beside its node). Empty with one partition.
 * Immutable.
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
     * Three directories whose children live in partitions {@code C+1, C+2, C+3 mod N} (C the
     * workload group): the first name {@code /dirK-J} that hashes there, for each.
     */
    static SimDirectories spread(int partitions, int workloadGroup) {
        HashPartitioner hash = new HashPartitioner(partitions);
        List<String> dirs = new ArrayList<>();
        List<Integer> children = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int want = (workloadGroup + 1 + k) % partitions;
            for (int j = 0; ; j++) {
                String dir = "/dir" + k + "-" + j;
                if (hash.partitionOfChildren(NodePath.parse("/ls/local" + dir)) == want) {
                    dirs.add(dir);
                    children.add(want);
                    break;
                }
            }
        }
        return new SimDirectories(List.copyOf(dirs), List.copyOf(children));
    }

    int count() {
        return directories.size();
    }

    /** Directory {@code k}, cell-relative. */
    String directory(int k) {
        return directories.get(k);
    }

    int childrenPartition(int k) {
        return childrenPartitions.get(k);
    }

    /** The directories whose children live in partition {@code p}. */
    List<Integer> on(int p) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < directories.size(); k++) {
            if (childrenPartitions.get(k) == p) {
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
