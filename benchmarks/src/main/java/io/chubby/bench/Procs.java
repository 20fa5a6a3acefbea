package io.chubby.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers for running commands and killing processes. */
final class Procs {
    private Procs() {
    }

    /** Runs a command to completion, returning its stdout; fails on a non-zero exit. */
    static String run(Path cwd, List<String> cmd, long timeoutSec) throws IOException, InterruptedException {
        return run(cwd, cmd, timeoutSec, java.util.Map.of());
    }

    /** The same with extra environment variables for the command. */
    static String run(Path cwd, List<String> cmd, long timeoutSec, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        // output to a file and stdin from /dev/null: a command that waits for input or keeps its
        // output open cannot outlive the timeout
        java.nio.file.Path log = java.nio.file.Files.createTempFile("bench-cmd", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        String s;
        try {
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSec + " s: " + cmd + ":\n"
                        + java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
            }
            s = java.nio.file.Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + " from " + cmd + ":\n" + s);
        }
        return s;
    }

    /** Starts a long-running process with output to {@code log}. */
    static Process spawn(Path cwd, List<String> cmd, Path log) throws IOException {
        return spawn(cwd, cmd, log, java.util.Map.of());
    }

    /** As above, with {@code env} added to the environment. */
    static Process spawn(Path cwd, List<String> cmd, Path log, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().putAll(env);
        return b.start();
    }

    /** kill -TERM (a planned stop); waits up to 60 s for the process to exit, then kills it. */
    static void term(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            if (!awaitGone(pid, 60_000)) {
                h.destroyForcibly();
                awaitGone(pid, 60_000);
            }
        });
    }

    /** kill -9; returns once the process no longer runs (at most 60 s). */
    static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(pid, 60_000);
    }

    /**
     * Waits until {@code pid} no longer runs: gone, or a zombie its parent has not reaped yet. Not
     * {@code ProcessHandle.onExit()}: for a process that is not our child (a replica the cell script
     * started) it polls from 300 ms on and sees a zombie as alive, which held the failover
     * workload's next write back by up to 1.4 s after the kill. False if it still runs after {@code millis}.
     */
    static boolean awaitGone(long pid, long millis) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(2);
        }
        return true;
    }

    /** Whether {@code pid} exists and is not a zombie (state Z or X in /proc/PID/stat). */
    static boolean running(long pid) {
        String stat;
        try {
            stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (java.io.IOException gone) {
            return false;
        }
        int close = stat.lastIndexOf(')');
        char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        return state != 'Z' && state != 'X';
    }

    /** User + system CPU time of a process so far, in seconds (Linux /proc/PID/stat, 100 ticks/s). */
    static double cpuSeconds(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** {@link #cpuSeconds(long)} summed over {@code procs[from..to]}; slots not running count 0. */
    static double cpuSeconds(Process[] procs, int from, int to) {
        double sum = 0;
        for (int i = from; i <= to; i++) {
            if (procs[i] != null && procs[i].isAlive()) {
                double s = cpuSeconds(procs[i].pid());
                sum += Double.isNaN(s) ? 0 : s;
            }
        }
        return sum;
    }

    /** The 1-minute load average. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM to every running process (null slots skipped), then waits up to 20 s each, then SIGKILL. */
    static void stopAll(Process[] procs) {
        for (Process p : procs) {
            if (p != null) {
                p.destroy();
            }
        }
        for (Process p : procs) {
            if (p == null) {
                continue;
            }
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
