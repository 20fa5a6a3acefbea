/**
 * The cell of one replica, assembled: {@link io.chubby.cell.internal.CellServer} (plain Java: one
 * Paxos group's replicated state, master's memory, request router and lease timer wired together;
 * the {@link io.chubby.spi.RequestHandler}), {@link io.chubby.cell.internal.CellHost} (one server
 * per open group: group 0 at start, groups 1..N-1 once group 0 records N), and
 * {@link io.chubby.cell.internal.CellComponent} (the OSGi component around the host:
 * configuration PID {@code io.chubby.cell}, the plug-in whiteboards) with
 * {@link io.chubby.cell.internal.PartitionViewComponent} viewing it.
 * The parts live in the sub-packages: {@code calls} routes and answers client calls,
 * {@code master} holds sessions and the master's other memory, {@code replica} is what every
 * replica runs (the state machine, the change feed, the namespace view), {@code state} is the pure
 * deterministic core. Not exported.
 */
package io.chubby.cell.internal;
