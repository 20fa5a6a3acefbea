package io.chubby.sim.check;

/**
 * A sequential specification. States must be non-null immutable values (equals/hashCode),
 * because the checker memoizes (state, linearized set) pairs.
 */
public interface Model<S> {
    S init();

    /**
     * Applies {@code op} to {@code state}: the next state if the operation, with its recorded output,
     * is legal in that state; null if not. For an operation of unknown outcome the output is
     * meaningless: return the state the operation would produce with any legal output.
     */
    S step(S state, Operation op);
}
