package io.chubby.bench;

/** Parses a size option such as {@code --watchers 1000,10000} or {@code --held 10000,50000}. */
final class Sizes {
    private Sizes() {
    }

    /**
     * The comma-separated positive integers of {@code value}, in the given order (blanks around a
     * number are allowed); anything else is an {@link IllegalArgumentException} naming {@code option}.
     */
    static int[] parse(String option, String value) {
        String[] parts = value.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + option + " takes N[,M...] (positive integers), not " + value);
            }
            if (out[i] <= 0) {
                throw new IllegalArgumentException("--" + option + " takes positive sizes, not " + value);
            }
        }
        return out;
    }
}
