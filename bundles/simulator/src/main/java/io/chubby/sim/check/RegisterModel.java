package io.chubby.sim.check;

/**
 * A register holding a long (or nothing), with read, write and compare-and-set. Inputs and outputs:
 * <ul>
 *   <li>{@code new Read()} answered by the value read ({@code Long}, or null for absent);</li>
 *   <li>{@code new Write(v)} answered by anything (the write took effect);</li>
 *   <li>{@code new Cas(expected, v)} answered by {@code Boolean}: whether the swap happened.</li>
 * </ul>
 */
public final class RegisterModel implements Model<RegisterModel.Value> {
    /** The register's content; {@code value} null means never written. */
    public record Value(Long value) {
    }

    public record Read() {
    }

    public record Write(long value) {
    }

    public record Cas(Long expected, long value) {
    }

    @Override
    public Value init() {
        return new Value(null);
    }

    @Override
    public Value step(Value s, Operation op) {
        Object in = op.input();
        if (in instanceof Read) {
            return !op.known() || java.util.Objects.equals(s.value(), op.output()) ? s : null;
        }
        if (in instanceof Write w) {
            return new Value(w.value());
        }
        if (in instanceof Cas c) {
            boolean matches = java.util.Objects.equals(s.value(), c.expected());
            if (!op.known()) {
                return matches ? new Value(c.value()) : s;
            }
            boolean swapped = Boolean.TRUE.equals(op.output());
            if (swapped != matches) {
                return null;
            }
            return swapped ? new Value(c.value()) : s;
        }
        throw new IllegalArgumentException("not a register operation: " + in);
    }
}
