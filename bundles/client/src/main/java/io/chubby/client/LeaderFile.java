package io.chubby.client;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The contents of a {@link LeaderElection} file: {@code <identity>\nlock-generation <G>\n}. Stateless. */
final class LeaderFile {
    private static final String GENERATION_PREFIX = "lock-generation ";

    private LeaderFile() {
    }

    static byte[] format(String identity, long generation) {
        return (identity + "\n" + GENERATION_PREFIX + generation + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The identity written at lock generation {@code currentGeneration}; empty for any other (stale) one. */
    static Optional<String> parse(byte[] contents, long currentGeneration) {
        String[] lines = new String(contents, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 2 || !lines[1].startsWith(GENERATION_PREFIX)
                || !lines[1].substring(GENERATION_PREFIX.length()).strip().equals(Long.toString(currentGeneration))) {
            return Optional.empty();
        }
        return Optional.of(lines[0]);
    }
}
