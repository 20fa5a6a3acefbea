/**
 * What every replica runs, master or not: {@link io.chubby.cell.internal.replica.CellStateMachine}
 * (the pure core bound to consensus and storage), the {@link io.chubby.cell.internal.replica.ChangeFeed}
 * (applied changes to {@link io.chubby.spi.ChangeListener}s, bounded per listener), the
 * {@link io.chubby.cell.internal.replica.StateNamespace} ({@link io.chubby.spi.NamespaceView}), the
 * {@link io.chubby.cell.internal.replica.StateSessions} ({@link io.chubby.spi.SessionView}) and the
 * cell's {@link io.chubby.cell.internal.replica.CellSettings}.
 */
package io.chubby.cell.internal.replica;
