package io.chubby.transport.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple prints (it writes to System.err as it is at each message) while a
 * test runs; {@link #close()} restores the stream. Tests only.
 */
final class LogCapture implements AutoCloseable {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream original = System.err;

    LogCapture() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    List<String> lines(String containing) {
        return lines().stream().filter(l -> l.contains(containing)).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
