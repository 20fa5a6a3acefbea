package io.chubby.cell.internal.state;

/**
 * What one applied entry did to one node, in the order it happened: the deterministic input from
 * which the master edge derives events and post-hoc cache invalidations (every replica computes
 * the same list for the same entry; only the master routes it). Not part of the replicated state.
 *
 * @param path              cell-relative path ("/a/b"; "/" for the root)
 * @param kind              created, modified (contents, ACL or flags) or deleted
 * @param instance          the node instance concerned
 * @param contentGeneration content generation after the change (before it, for a deletion)
 * @param contentsChanged   for MODIFIED: whether the contents changed (else only metadata)
 * @param node              the node after the change (before it, for a deletion)
 */
public record NodeChange(String path, Kind kind, long instance, long contentGeneration, boolean contentsChanged,
                         Node node) {
    /** The kinds of change. */
    public enum Kind { CREATED, MODIFIED, DELETED }

    /** The parent's cell-relative path, or null for the root. */
    public String parentPath() {
        if (path.equals("/")) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }

    /** The last component of the path. */
    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
