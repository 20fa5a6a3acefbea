package io.chubby.sim;

/**
 * The deliberate bugs the Paxos-level {@link Simulation} must catch ({@code PlantedBugsTest}
 * switches each on for a run of seeds). They live in the simulated edge, never in the core.
 */
public enum PaxosPlantedBug {
    NONE,
    /**
     * The replica's router hands about one peer message in fifty to the node of another group of
     * the right replica (a routing bug of a multi-group host); only runs with two or more groups
     * have another group to hand it to.
     */
    GROUP_CROSSTALK,
    /**
     * Where a run would ask a master for a handoff ({@link Handoffs}: every seed with this bug),
     * the edge instead sends {@code LeaseRelease} for the master's current ballot to every other
     * replica without calling {@code handOff}: the master keeps its lease and goes on serving while
     * the released acceptors may promise a successor at once.
     */
    RELEASE_WITHOUT_STOPPING
}
