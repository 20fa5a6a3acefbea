/**
 * The master's memory and duties, never logged: {@link io.chubby.cell.internal.master.Mastership}
 * (takeover, loss, timer ticks) owns {@code SessionLeases} (sessions' leases and held KeepAlives,
 * events and invalidations riding on them: a {@code Lease} per session, {@code LeaseAcks}, and
 * {@code GroupLeases} for proxies' group calls, all under its monitor), {@code LeasePolicy},
 * {@code CacheTracker} and {@code CoherentWrites} (consistent caching), {@code EventRouter}, {@code LockWaits} (held
 * Acquires, lock-delay) and the {@code Proposer}; {@code CellSecret} says where a group's InitCell
 * secret comes from (group 0: random; others: group 0's); {@code Wire} converts to protocol messages.
 * {@code DirectoryIntents} drives the directory intents this group coordinates over
 * {@code io.chubby.cell.internal.cross.CrossCalls}, step by step as the pure {@code DirectoryPhases}
 * says (docs/PARTITIONING.md section 4); {@code ReapHints} asks the group of an ephemeral directory's
 * node to reap it when this group (its children's) may have seen it emptied.
 */
package io.chubby.cell.internal.master;
