/**
 * The cell edge: {@link io.chubby.cell.internal.CellServer} (DS component providing
 * {@link io.chubby.spi.RequestHandler}), the {@link io.chubby.spi.StateMachine} binding of the
 * pure core to consensus and storage, session leases with held KeepAlives, batched session
 * creation, and the file API's validation before proposing. Not exported.
 */
package io.chubby.cell.internal;
