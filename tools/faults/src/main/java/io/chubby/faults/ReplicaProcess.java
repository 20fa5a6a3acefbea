package io.chubby.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica running as a real process: {@code bin/chubby-server INSTANCE_DIR} of the
 * distribution. The script execs the JVM, so the process we start is the replica's JVM and its pid
 * is the one signals go to. Used by one thread at a time (the {@link CellUnderTest} methods are
 * synchronized).
 */
final class ReplicaProcess {
    private static final Logger log = LoggerFactory.getLogger(ReplicaProcess.class);

    private final int id;
    private final Path distribution;
    private final Path instanceDir;
    private final String jvmOptions;
    private Process process;
    private boolean paused;
    private int starts;

    ReplicaProcess(int id, Path distribution, Path instanceDir, String jvmOptions) {
        this.id = id;
        this.distribution = distribution;
        this.instanceDir = instanceDir;
        this.jvmOptions = jvmOptions;
    }

    int id() {
        return id;
    }

    Path instanceDir() {
        return instanceDir;
    }

    /** Starts the process (no-op when it is running). */
    void start() throws IOException {
        if (alive()) {
            return;
        }
        Path logDir = Files.createDirectories(instanceDir.resolve("log"));
        // the replica truncates log/replica.log when it starts: keep the previous life's log
        Path previous = logDir.resolve("replica.log");
        if (starts > 0 && Files.exists(previous)) {
            Files.move(previous, logDir.resolve("replica.log." + starts), StandardCopyOption.REPLACE_EXISTING);
        }
        ProcessBuilder pb = new ProcessBuilder(distribution.resolve("bin/chubby-server").toString(),
                instanceDir.toString());
        pb.environment().put("CHUBBY_SERVER_OPTS", jvmOptions);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("launcher.log").toFile()));
        process = pb.start();
        paused = false;
        starts++;
        log.info("replica started id={} pid={} starts={}", id, process.pid(), starts);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    boolean paused() {
        return paused && alive();
    }

    /** The pid of the running process, 0 when none. */
    long pid() {
        return alive() ? process.pid() : 0;
    }

    /** kill -9; waits until the process is gone. */
    void kill() {
        if (!alive()) {
            return;
        }
        long pid = process.pid();
        process.destroyForcibly(); // SIGKILL on Unix, works on stopped processes too
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paused = false;
        log.info("replica killed id={} pid={}", id, pid);
    }

    /** kill -STOP. */
    void pause() {
        if (alive()) {
            signal("STOP");
            paused = true;
        }
    }

    /** kill -CONT. */
    void resume() {
        if (alive()) {
            signal("CONT");
        }
        paused = false;
    }

    private void signal(String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                log.warn("kill -{} failed id={} pid={}", sig, id, process.pid());
            }
        } catch (IOException e) {
            log.warn("kill -{} failed id={} error={}", sig, id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
