/**
 * The pure parts of the proxy: the table of client sessions it renews upstream (what each was
 * promised, what the master granted, events and invalidations waiting for the client, the
 * client's acknowledgements waiting to go upstream), the lease arithmetic, the shared read cache
 * (contents, metadata and absent paths) and the read and absence grants that keep it from serving a principal what the master did not let it read. No I/O, threads or
 * clock: callers pass the time and send what the methods return.
 */
package io.chubby.proxy.internal.core;
