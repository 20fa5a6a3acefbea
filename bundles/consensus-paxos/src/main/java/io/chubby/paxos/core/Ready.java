package io.chubby.paxos.core;

import java.util.List;

/**
 * A batch of work the edge must carry out, in this order:
 * <ol>
 *   <li>optionally, send the requests among {@link #messages} (those whose
 *       {@link Message#answersPeer()} is false: Prepare, Accept, Heartbeat) right away, so the
 *       followers' fsyncs overlap this replica's own;</li>
 *   <li>persist {@link #promised} (if non-null) and {@link #entries} (each overwrites any entry at
 *       the same index) atomically; fsync first when {@link #sync} is true;</li>
 *   <li>send the rest of {@link #messages} (every answer, only after step 2 returned: acceptor
 *       answers are promises about durable state);</li>
 *   <li>apply {@link #committed} to the state machine in order (they are chosen; the first is
 *       {@code appliedIndex + 1});</li>
 *   <li>start a snapshot transfer to each replica in {@link #needSnapshot} (best effort);</li>
 *   <li>call {@link PaxosNode#advance(Ready)} with this same object.</li>
 * </ol>
 *
 * @param promised     the promised ballot to persist, null when unchanged
 * @param entries      accepted entries to persist, in index order
 * @param sync         true whenever anything must be durable before the messages go out
 * @param messages     messages to send: answers only after persisting, requests before or after
 * @param committed    chosen entries to apply, strictly consecutive
 * @param needSnapshot replicas whose missing entries this master's log no longer holds
 * @param status       the new role/master/epoch when it changed since the last Ready, else null
 */
public record Ready(Ballot promised, List<Entry> entries, boolean sync, List<Message> messages,
                    List<Entry> committed, List<Integer> needSnapshot, Status status) {

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        committed = List.copyOf(committed);
        needSnapshot = List.copyOf(needSnapshot);
    }

    /**
     * Who leads, as this replica knows it.
     *
     * @param role     this replica's role
     * @param masterId the master this replica follows (itself when master), 0 if none known
     * @param epoch    epoch of that master, 0 if none known; never decreases on a replica
     */
    public record Status(Role role, int masterId, long epoch) {
    }
}
