package io.chubby.api;

/**
 * A node's metadata (Chubby paper section 2.3). The four generation numbers are 64-bit and only
 * grow; {@code instance} is greater than that of any earlier node with the same name.
 *
 * @param instance          instance number of this node
 * @param contentGeneration bumped on every write of the contents (files)
 * @param lockGeneration    bumped when the node's lock goes from free to held
 * @param aclGeneration     bumped when the node's ACL names are written
 * @param checksum          64-bit checksum of the contents
 * @param size              content length in bytes
 * @param directory         true for a directory
 * @param ephemeral         true for an ephemeral node
 * @param readAcl           name of the ACL file governing reads
 * @param writeAcl          name of the ACL file governing writes
 * @param changeAcl         name of the ACL file governing ACL changes
 * @param createdMillis     creation time, milliseconds since the epoch (master clock)
 * @param modifiedMillis    time of the last content or ACL change
 * @param partition         the partition that holds the node (docs/PARTITIONING.md): 0 in a cell of
 *                          one partition, and for nodes of partition 0 (since 1.4.0)
 */
public record Stat(long instance, long contentGeneration, long lockGeneration, long aclGeneration,
                   long checksum, long size, boolean directory, boolean ephemeral,
                   String readAcl, String writeAcl, String changeAcl,
                   long createdMillis, long modifiedMillis, int partition) {

    /** The metadata of a node on partition 0 (every node of a cell of one partition): the 1.3 constructor. */
    public Stat(long instance, long contentGeneration, long lockGeneration, long aclGeneration,
                long checksum, long size, boolean directory, boolean ephemeral,
                String readAcl, String writeAcl, String changeAcl,
                long createdMillis, long modifiedMillis) {
        this(instance, contentGeneration, lockGeneration, aclGeneration, checksum, size, directory, ephemeral,
                readAcl, writeAcl, changeAcl, createdMillis, modifiedMillis, 0);
    }
}
