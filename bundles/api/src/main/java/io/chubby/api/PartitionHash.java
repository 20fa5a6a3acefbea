package io.chubby.api;

import java.nio.charset.StandardCharsets;

/**
 * The reference function that places a directory's children in a partition (hash name
 * {@value #NAME}): {@code slot(D) = fnv1a64(utf8(cell-relative D)) mod 4096}, the 64-bit hash
 * read as unsigned. A partitioned cell of N partitions holds node {@code D/C} on partition
 * {@code slot(D) mod N}; the root node itself is on partition 0. The 4096 slots let a later slot
 * map (docs/PARTITIONING.md section 5) replace {@code mod N} without moving data.
 *
 * <p>The input is the directory's cell-relative path as {@link NodePath#cellRelative()} spells it:
 * {@code "/"} for the root, otherwise {@code "/a/b"} with no trailing slash and no {@code /ls/cell}
 * prefix. Clients in other languages must compute the same value: the function and its test
 * vectors are repeated in docs/PROTOCOL.md ("Partitions: the hash"). Every Java caller (client,
 * proxy, DNS bridge, partitioner) calls this class; nothing else hashes paths.
 *
 * <p>FNV-1a, 64 bits: start from the offset basis {@code 0xcbf29ce484222325}; for each byte,
 * xor it in, then multiply by the prime {@code 0x100000001b3} modulo 2<sup>64</sup>.
 */
public final class PartitionHash {
    /** The hash's name, recorded with the partition count and compared on every binding. */
    public static final String NAME = "fnv1a64-v1";
    /** Number of slots a directory hashes to. */
    public static final int SLOTS = 4096;

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private PartitionHash() {
    }

    /** FNV-1a 64 of {@code bytes}; read the result as unsigned. */
    public static long fnv1a64(byte[] bytes) {
        long hash = OFFSET_BASIS;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= PRIME;
        }
        return hash;
    }

    /**
     * The slot (0..4095) of the children of the directory whose cell-relative path is given.
     *
     * @throws IllegalArgumentException if the path does not start with '/', or ends with '/'
     *     without being the root
     */
    public static int slotOf(String cellRelativeDir) {
        if (cellRelativeDir.isEmpty() || cellRelativeDir.charAt(0) != '/'
                || (cellRelativeDir.length() > 1 && cellRelativeDir.endsWith("/"))) {
            throw new IllegalArgumentException("not a cell-relative directory path ('/' or '/a/b'): '"
                    + cellRelativeDir + "'");
        }
        long hash = fnv1a64(cellRelativeDir.getBytes(StandardCharsets.UTF_8));
        return (int) Long.remainderUnsigned(hash, SLOTS);
    }

    /** The slot of the children of {@code directory}: {@code slotOf(directory.cellRelative())}. */
    public static int slotOf(NodePath directory) {
        return slotOf(directory.cellRelative());
    }
}
