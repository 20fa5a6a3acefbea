package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where {@code lock} and {@code elect} keep the COMMAND they run, so that a stop (a shutdown
 * action registered before the COMMAND exists) kills it: a running COMMAND is killed, and one not
 * started yet never starts. Thread-safe.
 */
final class ChildSlot {
    private ChildProcess child; // guarded by this
    private boolean stopped; // guarded by this

    /** Starts COMMAND, unless the process is being stopped (then CANCELLED). */
    synchronized ChildProcess start(List<String> command, Map<String, String> env, Path workDir) {
        if (stopped) {
            throw new ChubbyException(ErrorCode.CANCELLED, "stopped before " + command.get(0) + " was started");
        }
        child = ChildProcess.start(command, env, workDir);
        return child;
    }

    /** Kills COMMAND if it runs (with its descendants) and keeps any from starting. */
    void stop() {
        ChildProcess c;
        synchronized (this) {
            stopped = true;
            c = child;
        }
        if (c != null && c.alive()) {
            c.kill();
        }
    }
}
