package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A COMMAND run by {@code lock} and {@code elect} while a lock is held: inherits the terminal,
 * gets extra environment variables, and can be killed (with its descendants) when the lock is
 * lost or the CLI is stopped. Used by one command thread; {@link #kill} may come from any thread.
 */
final class ChildProcess {
    private final Process process;

    private ChildProcess(Process process) {
        this.process = process;
    }

    static ChildProcess start(List<String> command, Map<String, String> env, Path workDir) {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO().directory(workDir.toFile());
        pb.environment().putAll(env);
        try {
            return new ChildProcess(pb.start());
        } catch (IOException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "cannot run " + command.get(0) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Waits for the command and returns its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Stops the command and everything it started (SIGTERM, then SIGKILL after a grace period). */
    void kill() {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        family.forEach(ProcessHandle::destroy);
        try {
            process.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
        family.forEach(ProcessHandle::destroyForcibly);
    }

    boolean alive() {
        return process.isAlive();
    }
}
