package io.chubby.spi;

/**
 * One change an applied log entry made to one node: what the change feed delivers to
 * {@link ChangeListener}s. Every replica derives the same changes, in the same order, from the
 * same entry; generations and checksums are the node's after the change (before it, for a
 * deletion), so listeners on different replicas can compare them.
 *
 * @param index             log index of the entry that made the change
 * @param epoch             epoch of the master that proposed the entry
 * @param path              cell-relative path ({@code "/"} is the root, {@code "/a/b"} is {@code /ls/<cell>/a/b})
 * @param kind              what happened
 * @param instance          the node instance
 * @param contentGeneration content generation
 * @param aclGeneration     ACL generation
 * @param lockGeneration    lock generation
 * @param checksum          64-bit checksum of the contents (as in {@link io.chubby.api.Stat#checksum()})
 * @param size              content length in bytes
 * @param directory         whether the node is a directory
 * @param ephemeral         whether the node is ephemeral
 * @param stateChecksum     checksum of the whole replicated state after the entry (equal across
 *                          replicas at equal index)
 * @since 1.2
 */
public record NodeChange(long index, long epoch, String path, Kind kind, long instance, long contentGeneration,
                         long aclGeneration, long lockGeneration, long checksum, long size, boolean directory,
                         boolean ephemeral, long stateChecksum) {
    /** The kinds of change. */
    public enum Kind {
        /** A node came into existence (a new instance). */
        CREATED,
        /** A file's contents were written. */
        CONTENTS_CHANGED,
        /** The node's three ACL names were written. */
        ACL_CHANGED,
        /** The node was deleted (explicitly, or an ephemeral node whose last handle closed). */
        DELETED
    }
}
