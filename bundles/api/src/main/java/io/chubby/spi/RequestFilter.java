package io.chubby.spi;

import io.chubby.api.ChubbyException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plug-in's view of every client call a cell replica serves, before it is served (and so before
 * anything is proposed): filters may observe calls (audit, metrics, quotas) and may refuse them
 * with a typed error. Registered as OSGi services (whiteboard); the cell binds them dynamically and
 * calls them in order of {@code service.ranking}, highest first (equal rankings: lowest
 * {@code service.id} first). Installing, updating or removing a filter changes future calls only.
 *
 * <p>Called on a transport I/O thread, concurrently for different connections, in order for one
 * connection: a filter must be thread-safe and must not block. Calls that fail earlier checks
 * (not the master, wrong epoch, expired session, forged handle) are refused before filters see
 * them.
 *
 * @since 1.2
 */
@ConsumerType
public interface RequestFilter {
    /**
     * Lets the call through by returning normally, or refuses it by throwing a
     * {@link ChubbyException}: the client gets that code and message, and later filters, the
     * authorizer and the cell never see the call. Any other exception refuses the call with
     * {@code INTERNAL} naming the filter, and is logged.
     */
    void filter(CellRequest request) throws ChubbyException;
}
