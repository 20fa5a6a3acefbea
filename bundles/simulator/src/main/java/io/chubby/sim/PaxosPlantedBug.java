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
    GROUP_CROSSTALK
}
