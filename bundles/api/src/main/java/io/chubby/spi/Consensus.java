package io.chubby.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The replicated log of a cell, as the session layer sees it: propose commands, have committed
 * entries applied in order to the registered {@link StateMachine}, and know who is master.
 * Implemented for any odd number of replicas (1, 3, 5, ...).
 */
@ProviderType
public interface Consensus {

    /**
     * Registers the state machine that committed entries are applied to. Exactly one per replica;
     * applying starts after registration, from {@code machine.appliedIndex() + 1}.
     */
    void register(StateMachine machine);

    /** Detaches the state machine (component shutdown); no calls are made on it afterwards. */
    void unregister(StateMachine machine);

    /**
     * Proposes a command. Completes with the result of {@link StateMachine#apply} on this replica
     * once the entry is chosen and applied; fails with a {@link io.chubby.api.ChubbyException} of
     * code NOT_MASTER if this replica is not master or loses mastership before the entry commits
     * (the command may or may not then be chosen: the caller must treat the outcome as unknown).
     * Fails with CELL_UNAVAILABLE when the command was refused before it was proposed (this
     * replica stopped serving meanwhile, e.g. it is handing mastership over): nothing was applied,
     * and a retry (at the master) is safe.
     */
    CompletableFuture<byte[]> propose(byte[] command);

    /**
     * True while this replica is master with a valid lease and has applied every entry chosen
     * before its leadership: it may then serve reads from its state alone.
     */
    boolean isMaster();

    /** The epoch of the master this replica knows (strictly greater for every new master), 0 if none. */
    long epoch();

    /** The master this replica believes in, or 0 when it knows none. */
    int masterId();

    /** This replica. */
    Member self();

    /**
     * Every replica of the cell: the members of the configuration this replica applied last (they
     * change through the log when an operator adds or removes one, issue 19), the identity's
     * members before any change.
     */
    List<Member> members();

    ConsensusStatus status();

    void addListener(ConsensusListener listener);

    void removeListener(ConsensusListener listener);
}
