/**
 * The cell of one replica, assembled: {@link io.chubby.cell.internal.CellServer} (plain Java: the
 * replicated state, the master's memory, the request router and the lease timer wired together;
 * the {@link io.chubby.spi.RequestHandler}) and {@link io.chubby.cell.internal.CellComponent} (the
 * OSGi component around it: configuration PID {@code io.chubby.cell}, the plug-in whiteboards).
 * The parts live in the sub-packages: {@code calls} routes and answers client calls,
 * {@code master} holds sessions and the master's other memory, {@code replica} is what every
 * replica runs (the state machine, the change feed, the namespace view), {@code state} is the pure
 * deterministic core. Not exported.
 */
package io.chubby.cell.internal;
