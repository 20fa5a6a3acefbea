package io.chubby.cli.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs command lines against a {@link FakeCell} with captured streams and recorded waits. */
public final class Harness {
    /** Outcome of one command line. */
    public record Result(int code, String out, String err, byte[] outBytes) {
        public List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        public List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    public final FakeCell cell = new FakeCell();
    public final Map<String, String> env = new HashMap<>();
    public final List<Duration> sleeps = new ArrayList<>();
    public final List<String> waits = new ArrayList<>();
    /** Shutdown hooks registered and not yet cancelled. */
    public final List<Runnable> hooks = new ArrayList<>();
    /** After this many sleeps the "process" is stopped (hooks run, sleep interrupted); -1: never. */
    public int stopAfterSleeps = -1;
    public Path workDir = Path.of("").toAbsolutePath();
    public byte[] stdin = new byte[0];
    public boolean embedded;

    public Harness() {
        env.put(CliContext.CELL_ENV, "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003");
    }

    public Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext.Waiter waiter = new CliContext.Waiter() {
            @Override
            public void sleep(Duration d) throws InterruptedException {
                sleeps.add(d);
                if (stopAfterSleeps >= 0 && sleeps.size() >= stopAfterSleeps) {
                    // what SIGINT does to the real process: the shutdown hooks run
                    waits.add("shutdown");
                    List.copyOf(hooks).forEach(Runnable::run);
                    throw new InterruptedException("stopped");
                }
                if (d.toMillis() <= 250) {
                    Thread.sleep(d.toMillis()); // polling loops really poll; long holds are only recorded
                }
            }

            @Override
            public Runnable onShutdown(Runnable action) {
                hooks.add(action);
                return () -> hooks.remove(action);
            }
        };
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin), env, workDir,
                cell, waiter, embedded);
        int code = Cli.run(ctx, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                out.toByteArray());
    }
}
