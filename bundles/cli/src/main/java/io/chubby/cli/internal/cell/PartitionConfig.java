package io.chubby.cli.internal.cell;

import io.chubby.spi.ReplicaConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The partitioning part of a local cell: {@code DIR/replica-<i>/etc/io.chubby.partition.cfg}
 * (Config Admin PID {@code io.chubby.partition}, read by the optional partitioning bundle through
 * FileInstall) with {@code partition.count=N}. A cell of one partition has no such file (the
 * bundle stays inert); a cell created with {@code --partitions N} has it on every replica, and
 * that N is the cell's for good (docs/PARTITIONING.md section 5). Immutable.
 */
public record PartitionConfig(CellLayout layout) {
    public static final String PID = ReplicaConfig.PARTITION_PID;
    public static final String COUNT = "partition.count";

    public Path configFile(int id) {
        return layout.configFile(id, PID);
    }

    /**
     * The N this cell directory was created with: the {@code partition.count} of the first replica
     * that has the file, 1 when none has.
     *
     * @throws IllegalArgumentException when a file holds no whole number
     */
    public int recorded() {
        for (int i = 1; i <= layout.replicas(); i++) {
            Optional<String> count = read(configFile(i));
            if (count.isPresent()) {
                try {
                    return Integer.parseInt(count.get().strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(configFile(i) + ": " + COUNT + "=" + count.get()
                            + " is not a whole number");
                }
            }
        }
        return 1;
    }

    /** Writes {@code partition.count=n} into every replica's file (other {@code partition.*} keys stay). */
    public void apply(int n) {
        for (int i = 1; i <= layout.replicas(); i++) {
            CellLayout.mergeConfig(configFile(i), "# partitioning of replica " + i + " of cell " + layout.cellName()
                    + ", written by 'chubby cell up --partitions'; the same on every replica, fixed for the cell's life.",
                    Map.of(COUNT, Integer.toString(n)));
        }
    }

    private static Optional<String> read(Path f) {
        return CellLayout.readProperties(f).map(p -> p.getProperty(COUNT));
    }
}
