package io.chubby.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server running as a real process: a replica ({@code bin/chubby-server INSTANCE_DIR}) or a
 * Chubby proxy ({@code bin/chubby-proxy --cell ... --port ... --dir INSTANCE_DIR}) of the
 * distribution. Both scripts exec the JVM, so the process we start is the server's JVM and its pid
 * is the one signals go to. Used by one thread at a time (the {@link CellUnderTest} methods are
 * synchronized).
 */
final class ServerProcess {
    private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

    private final String kind;
    private final int id;
    private final List<String> command;
    private final Path instanceDir;
    private final String optionsVariable;
    private final String jvmOptions;
    private final String logName;
    private Process process;
    private boolean paused;
    private int starts;

    private ServerProcess(String kind, int id, List<String> command, Path instanceDir, String optionsVariable,
                          String jvmOptions, String logName) {
        this.kind = kind;
        this.id = id;
        this.command = List.copyOf(command);
        this.instanceDir = instanceDir;
        this.optionsVariable = optionsVariable;
        this.jvmOptions = jvmOptions;
        this.logName = logName;
    }

    /** Replica {@code id}: {@code bin/chubby-server instanceDir}, CHUBBY_SERVER_OPTS = jvmOptions. */
    static ServerProcess replica(int id, Path distribution, Path instanceDir, String jvmOptions) {
        return new ServerProcess("replica", id, List.of(distribution.resolve("bin/chubby-server").toString(),
                instanceDir.toString()), instanceDir, "CHUBBY_SERVER_OPTS", jvmOptions, "replica.log");
    }

    /**
     * Proxy {@code id} listening on 127.0.0.1:{@code port} in front of the replicas at {@code upstream}:
     * {@code bin/chubby-proxy}, CHUBBY_PROXY_OPTS = jvmOptions.
     */
    static ServerProcess proxy(int id, Path distribution, Path instanceDir, List<String> upstream, int port,
                               String jvmOptions) {
        return new ServerProcess("proxy", id, List.of(distribution.resolve("bin/chubby-proxy").toString(),
                "--cell", String.join(",", upstream), "--port", Integer.toString(port), "--host", "127.0.0.1",
                "--dir", instanceDir.toString()), instanceDir, "CHUBBY_PROXY_OPTS", jvmOptions, "proxy.log");
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
        // the server truncates its log when it starts: keep the previous life's log
        Path previous = logDir.resolve(logName);
        if (starts > 0 && Files.exists(previous)) {
            Files.move(previous, logDir.resolve(logName + "." + starts), StandardCopyOption.REPLACE_EXISTING);
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put(optionsVariable, jvmOptions);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("launcher.log").toFile()));
        process = pb.start();
        paused = false;
        starts++;
        log.info("{} started id={} pid={} starts={}", kind, id, process.pid(), starts);
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
        log.info("{} killed id={} pid={}", kind, id, pid);
    }

    /**
     * kill -TERM (a planned stop: the JVM's shutdown hook stops the Felix framework cleanly); waits
     * up to 30 s for the process to exit, then kills it.
     */
    void terminate() {
        if (!alive()) {
            return;
        }
        long pid = process.pid();
        process.destroy(); // SIGTERM on Unix
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("{} id={} pid={} did not exit within 30 s of SIGTERM: killing it", kind, id, pid);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paused = false;
        log.info("{} terminated id={} pid={}", kind, id, pid);
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
                log.warn("kill -{} failed {}={} pid={}", sig, kind, id, process.pid());
            }
        } catch (IOException e) {
            log.warn("kill -{} failed {}={} error={}", sig, kind, id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
