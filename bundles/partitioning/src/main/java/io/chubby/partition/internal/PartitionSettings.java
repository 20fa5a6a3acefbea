package io.chubby.partition.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.spi.ReplicaConfig;
import java.util.Map;

/**
 * The partitioning bundle's configuration (PID {@value #PID}) as read from Config Admin's
 * properties: {@value #COUNT} (the number of partitions N, 1..4096, default 1) and {@value #HASH}
 * (the hash name, default and only known value {@value PartitionHash#NAME}). Values come as
 * numbers or, from a {@code .cfg} file, as text; a value that is not a whole number, a count out
 * of range or an unknown hash is an INVALID_ARGUMENT naming the key, the value and what is
 * accepted. Pure.
 *
 * @param count    N, the number of partitions
 * @param hashName the hash directories go through
 */
record PartitionSettings(int count, String hashName) {
    static final String PID = ReplicaConfig.PARTITION_PID;
    static final String COUNT = "partition.count";
    static final String HASH = "partition.hash";

    /** Reads and checks {@code properties} (keys other than the two are ignored). */
    static PartitionSettings from(Map<String, ?> properties) {
        int count = count(properties.get(COUNT));
        Object hash = properties.get(HASH);
        String hashName = hash == null ? PartitionHash.NAME : hash.toString().strip();
        if (!hashName.equals(PartitionHash.NAME)) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s=%s: unknown hash; the only hash is %s "
                    + "(PartitionHash)", HASH, hashName, PartitionHash.NAME);
        }
        return new PartitionSettings(count, hashName);
    }

    private static int count(Object value) {
        if (value == null) {
            return 1;
        }
        long n;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            n = ((Number) value).longValue();
        } else {
            try {
                n = Long.parseLong(value.toString().strip());
            } catch (NumberFormatException e) {
                throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s=%s: not a whole number; give the number "
                        + "of partitions, 1..%d", COUNT, value, PartitionHash.SLOTS);
            }
        }
        if (n < 1 || n > PartitionHash.SLOTS) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "%s=%s: the number of partitions must be 1..%d",
                    COUNT, value, PartitionHash.SLOTS);
        }
        return (int) n;
    }
}
