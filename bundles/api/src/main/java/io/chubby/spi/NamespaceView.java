package io.chubby.spi;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only view of a replica's applied namespace, for plug-ins (the acl bundle reads node ACL
 * names and ACL files through it; a mirror can list a subtree). Registered as an OSGi service by
 * the cell, and handed to the {@link Authorizer}. Every method reads the state as applied on this
 * replica at the moment of the call; on the master that is the state clients see.
 * Paths are cell-relative: {@code "/"} is the cell root, {@code "/acl/admins"} is
 * {@code /ls/<cell>/acl/admins}. Thread-safe; never blocks on consensus.
 *
 * @since 1.2
 */
@ProviderType
public interface NamespaceView {
    /** The cell's name. */
    String cellName();

    /** The log index the state reflects now. */
    long appliedIndex();

    /** The node's metadata, or null if there is no node at the path. */
    Stat stat(String path);

    /** A file's contents, or null if there is no node at the path (a directory has none: empty). */
    byte[] contents(String path);

    /** The children of a directory in name order; empty if the path is no directory. */
    List<DirEntry> children(String path);
}
