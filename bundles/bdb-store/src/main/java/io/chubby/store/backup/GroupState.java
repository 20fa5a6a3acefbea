package io.chubby.store.backup;

/**
 * A Paxos group's replicated state as the state store records it (its {@code state.meta}).
 *
 * @param appliedIndex the last log index applied to the state
 * @param checksum     the state machine's running checksum at that index
 */
public record GroupState(long appliedIndex, long checksum) {
}
