package io.chubby.sim;

/** A broken invariant found by the simulator; the {@link Simulation} adds seed and time. */
public final class SimulationFailure extends RuntimeException {
    public SimulationFailure(String message) {
        super(message);
    }
}
