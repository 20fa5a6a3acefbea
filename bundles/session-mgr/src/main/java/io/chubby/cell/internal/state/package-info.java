/**
 * The pure, deterministic core of a cell: {@link io.chubby.cell.internal.state.CellState} (nodes,
 * sessions, handles, secret, checksum), the log {@link io.chubby.cell.internal.state.Command}s and
 * their stable codec, handle tokens with HMAC check digits, and apply results. No clock, no
 * randomness, no threads, no I/O: the edge supplies times and the secret inside commands.
 */
package io.chubby.cell.internal.state;
