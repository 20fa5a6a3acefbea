package io.chubby.sim.check;

/**
 * An exclusive lock that hands out sequencers (the lock generation at acquisition), guarding a
 * protected register that only accepts writes carrying the current sequencer. Operations:
 * <ul>
 *   <li>{@code new Acquire()} by client c, answered by the generation ({@code Long}) it got;</li>
 *   <li>{@code new Release()} by client c, answered by anything;</li>
 *   <li>{@code new ProtectedWrite(generation, v)}, answered by {@code Boolean}: accepted or
 *       rejected as stale. Accepted exactly when the lock is held and generation is current.</li>
 * </ul>
 * Generations strictly increase with every acquisition, so a linearizable history never shows two
 * holders with the same generation, and never a stale holder's write accepted.
 */
public final class LockModel implements Model<LockModel.State> {
    /** holder -1 = free. */
    public record State(int holder, long generation, long value) {
    }

    public record Acquire() {
    }

    public record Release() {
    }

    public record ProtectedWrite(long generation, long value) {
    }

    @Override
    public State init() {
        return new State(-1, 0, 0);
    }

    @Override
    public State step(State s, Operation op) {
        Object in = op.input();
        if (in instanceof Acquire) {
            if (s.holder() != -1) {
                return null;
            }
            long gen = op.known() ? (Long) op.output() : s.generation() + 1;
            return gen > s.generation() ? new State(op.client(), gen, s.value()) : null;
        }
        if (in instanceof Release) {
            return s.holder() == op.client() ? new State(-1, s.generation(), s.value()) : null;
        }
        if (in instanceof ProtectedWrite w) {
            boolean valid = s.holder() != -1 && w.generation() == s.generation();
            if (!op.known()) {
                return valid ? new State(s.holder(), s.generation(), w.value()) : s;
            }
            boolean accepted = Boolean.TRUE.equals(op.output());
            if (accepted != valid) {
                return null;
            }
            return accepted ? new State(s.holder(), s.generation(), w.value()) : s;
        }
        throw new IllegalArgumentException("not a lock operation: " + in);
    }
}
