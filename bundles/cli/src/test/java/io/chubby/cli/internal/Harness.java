package io.chubby.cli.internal;

import io.chubby.api.MasterInfo;
import io.chubby.api.Stat;
import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Runs command lines with captured streams and recorded waits against real cells in this JVM
 * ({@link InProcessCell}, {@link InProcessReplicas}) through the real client library. The
 * library is wrapped only to record what the commands opened (their {@link ClientOptions} and
 * clients); the cell's behaviour is the cell's own. Closes the cells it was given.
 */
public final class Harness implements AutoCloseable {
    /** Outcome of one command line. */
    public record Result(int code, String out, String err, byte[] outBytes) {
        public List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        public List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    public final Map<String, String> env = new HashMap<>();
    public final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    public final List<String> waits = new CopyOnWriteArrayList<>();
    /** Shutdown actions registered and not yet cancelled or run, in registration order. */
    public final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    /** Set by {@link #stop()} (what a signal does), until the next {@link #run}. */
    public volatile boolean stopping;
    /** The options of every session a command opened, in order. */
    public final List<ClientOptions> connects = new CopyOnWriteArrayList<>();
    /** Every Status / MasterLocation a command asked, in order: {@code "ADDRESS answered"} or {@code "ADDRESS failed"}. */
    public final List<String> probes = new CopyOnWriteArrayList<>();
    /** The client of every session a command opened, in order (the real library's). */
    public final List<ChubbyClient> clients = new CopyOnWriteArrayList<>();
    /**
     * What Status answers look like to the commands (default: as the replica said). In-process
     * replicas are separate one-replica cells whose followers apply nothing, so a test of a
     * rolling command makes them look caught up (or behind) here.
     */
    public volatile java.util.function.BiFunction<String, ReplicaStatus, ReplicaStatus> statusView = (a, s) -> s;
    /** After this many sleeps the "process" is stopped (hooks run, sleep interrupted); -1: never. */
    public int stopAfterSleeps = -1;
    /** Told the number (1, 2, ...) of each sleep of the command, on its thread, before it "sleeps". */
    public IntConsumer onSleep = n -> { };
    /** How far the commands' clock ({@code Waiter.now()}) is ahead of the real one. */
    public volatile Duration clockAhead = Duration.ZERO;
    /** Told of each session a command opens, once it exists and before the command uses it. */
    public Consumer<ChubbyClient> onConnect = c -> { };
    public Path workDir = Path.of("").toAbsolutePath();
    public byte[] stdin = new byte[0];
    public boolean embedded;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Map<String, ChubbyClient> observers = new HashMap<>();
    private InProcessCell cell;
    private volatile ByteArrayOutputStream liveErr = new ByteArrayOutputStream();
    private volatile ByteArrayOutputStream liveOut = new ByteArrayOutputStream();

    /** No cell: CHUBBY_CELL names an address nothing listens on, until {@link #use} names one. */
    public Harness() {
        env.put(CliContext.CELL_ENV, InProcessReplicas.closedAddress());
    }

    /** A harness whose CHUBBY_CELL is a fresh one-replica cell (replica 1, master at epoch 1). */
    public static Harness withCell() {
        Harness h = new Harness();
        h.use(InProcessCell.start());
        return h;
    }

    /** CHUBBY_CELL names {@code c} from now on; closed with the harness. */
    public InProcessCell use(InProcessCell c) {
        owned.add(c);
        cell = c;
        env.put(CliContext.CELL_ENV, c.address());
        return c;
    }

    /** CHUBBY_CELL names every replica of {@code r} from now on; closed with the harness. */
    public InProcessReplicas use(InProcessReplicas r) {
        owned.add(r);
        env.put(CliContext.CELL_ENV, r.cellSpec());
        return r;
    }

    /** The one-replica cell last given to {@link #use(InProcessCell)}. */
    public InProcessCell cell() {
        if (cell == null) {
            throw new IllegalStateException("no cell: use(...) one first");
        }
        return cell;
    }

    // ---- the real outcome, read back through a session of the harness's own ----

    /** A session of the harness on the cell CHUBBY_CELL names now (not one of the commands'). */
    public synchronized ChubbyClient observer() {
        String spec = env.get(CliContext.CELL_ENV);
        return observers.computeIfAbsent(spec, s -> ChubbyClient.connect(ClientOptions.builder().cell(s)
                .clientName("harness").callTimeout(Duration.ofSeconds(10)).build()));
    }

    public byte[] bytes(String path) {
        return observer().read(path);
    }

    public String contents(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    public boolean exists(String path) {
        return observer().exists(path);
    }

    public Stat stat(String path) {
        return observer().stat(path);
    }

    /** What the running command has written to stderr so far (for tests that run it on another thread). */
    public String errSoFar() {
        return liveErr.toString(StandardCharsets.UTF_8);
    }

    /** What the running command has written to stdout so far. */
    public String outSoFar() {
        return liveOut.toString(StandardCharsets.UTF_8);
    }

    /**
     * What SIGINT/SIGTERM does to the real process ({@code ShutdownActions}): the registered
     * actions run one at a time, the last registered first, each once however often this is
     * called; on the caller's thread (a test stops a command running on another thread).
     */
    public void stop() {
        stopping = true;
        while (true) {
            Runnable next;
            synchronized (hooks) {
                if (hooks.isEmpty()) {
                    return;
                }
                next = hooks.remove(hooks.size() - 1);
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // as at a real exit: the remaining actions still run
            }
        }
    }

    public Result run(String... args) {
        stopping = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        liveErr = err;
        liveOut = out;
        CliContext.Waiter waiter = new CliContext.Waiter() {
            @Override
            public void sleep(Duration d) throws InterruptedException {
                sleeps.add(d);
                onSleep.accept(sleeps.size());
                if (stopAfterSleeps >= 0 && sleeps.size() >= stopAfterSleeps) {
                    waits.add("shutdown");
                    stop();
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

            @Override
            public boolean stopping() {
                return stopping;
            }

            @Override
            public Instant now() {
                return Instant.now().plus(clockAhead);
            }
        };
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin), env, workDir,
                recording(), waiter, embedded);
        int code = Cli.run(ctx, args);
        // A "stopped" command leaves the interrupt flag set, as the signal would; the process would
        // now exit, but this thread goes on with the test.
        Thread.interrupted();
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                out.toByteArray());
    }

    /** The client library, recording the sessions the commands open. */
    private CellAccess recording() {
        return new CellAccess() {
            @Override
            public ChubbyClient connect(ClientOptions options) {
                connects.add(options);
                ChubbyClient c = CellAccess.LIBRARY.connect(options);
                clients.add(c);
                onConnect.accept(c);
                return c;
            }

            @Override
            public ReplicaStatus status(String address, Duration timeout, ClientSecurity security) {
                return probe(address, () -> statusView.apply(address, CellAccess.LIBRARY.status(address, timeout, security)));
            }

            @Override
            public MasterInfo masterLocation(String address, Duration timeout, ClientSecurity security) {
                return probe(address, () -> CellAccess.LIBRARY.masterLocation(address, timeout, security));
            }

            @Override
            public AdminResult admin(String address, String commandLine, Duration timeout, ClientSecurity security) {
                return CellAccess.LIBRARY.admin(address, commandLine, timeout, security);
            }
        };
    }

    private <T> T probe(String address, java.util.function.Supplier<T> call) {
        try {
            T t = call.get();
            probes.add(address + " answered");
            return t;
        } catch (RuntimeException e) {
            probes.add(address + " failed");
            throw e;
        }
    }

    /** Closes the harness's own sessions and every cell it was given. */
    @Override
    public void close() {
        synchronized (this) {
            observers.values().forEach(ChubbyClient::close);
            observers.clear();
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c, e);
            }
        }
        owned.clear();
    }
}
