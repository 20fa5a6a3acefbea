package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * One real cell of {@link #replicas()} replica processes for a whole test class (started in
 * {@code @BeforeAll} with {@code bin/chubby cell up}, stopped and killed in {@code @AfterAll}), a
 * connected {@link ChubbyClient}, helpers for expected error codes, and, as the last test, the
 * determinism check: every replica reports the same applied index and state checksum. Every test
 * works under its own directory {@link #dir(String)} so tests do not see each other's nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class CellSuite {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final long CONVERGE_DEADLINE_MS = 30_000;
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    protected LocalCell cell;
    protected ChubbyClient client;
    private ProxyCell proxyCell;
    private final List<ChubbyClient> extraClients = new ArrayList<>();

    /** How many replicas the cell of this class has. */
    abstract int replicas();

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startCell() {
        cell = new LocalCell(replicas());
        LocalCell.Run up = cell.up(upOptions());
        assertEquals(0, up.exit(), () -> up + cell.logs());
        cellUp();
        if (proxies() > 0) {
            proxyCell = ProxyCell.start(cell, proxies());
        }
        client = newClient();
    }

    /** Options of this class's {@code chubby cell up} beyond the replicas (e.g. {@code --partitions 4}). */
    protected String[] upOptions() {
        return new String[0];
    }

    /** Called once the cell is up, before the first client connects (a binding starts its proxies here). */
    protected void cellUp() {
    }

    /** Called before the cell goes down. */
    protected void beforeCellDown() {
    }

    /** Proxies (real processes, {@link ProxyCell}) every client of this class goes through; 0: none. */
    protected int proxies() {
        return 0;
    }

    /** Where this suite's clients connect: the cell's replicas, or the proxies in front of them. */
    protected String clientCellSpec() {
        return proxyCell != null ? proxyCell.spec() : cell.cellSpec();
    }

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell == null) {
            return;
        }
        try {
            for (ChubbyClient c : extraClients) {
                closeQuietly(c);
            }
            closeQuietly(client);
            beforeCellDown();
            if (proxyCell != null) {
                proxyCell.destroy();
            }
            try {
                cell.down();
            } catch (RuntimeException | AssertionError e) {
                // e.g. bin/chubby being re-assembled by a concurrent `package`: destroy() below kills by pid
                System.err.println("cell down failed, killing the replicas: " + e);
            }
        } finally {
            cell.destroy();
        }
    }

    /** A new client (own session) of this cell; closed in {@code @AfterAll} unless closed before. */
    protected ChubbyClient newClient() {
        ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(clientCellSpec())
                .clientName(getClass().getSimpleName() + "-" + CLIENTS.incrementAndGet())
                .callTimeout(CALL_TIMEOUT).build());
        extraClients.add(c);
        return c;
    }

    /** A fresh directory /ls/local/&lt;class&gt;-&lt;name&gt; for one test. */
    protected String dir(String name) {
        String d = "/ls/local/" + getClass().getSimpleName() + "-" + name;
        client.mkdir(d);
        return d;
    }

    /** Runs {@code call} and asserts it fails with {@code code}; returns the exception. */
    static ChubbyException fails(ErrorCode code, Executable call) {
        try {
            call.execute();
        } catch (ChubbyException e) {
            assertEquals(code, e.code(), () -> "expected " + code + " but got " + e.code() + ": " + e.getMessage());
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected ChubbyException " + code + " but got " + t, t);
        }
        throw new AssertionError("expected ChubbyException " + code + " but the call succeeded");
    }

    /** Asserts that an async call completes exceptionally with a (not wrapped) ChubbyException of {@code code}. */
    static ChubbyException failsAsync(ErrorCode code, CompletableFuture<?> f) {
        try {
            Object v = f.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            throw new AssertionError("expected " + code + " but the async call succeeded with " + v);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ChubbyException ce)) {
                throw new AssertionError("expected a ChubbyException cause but got " + e.getCause(), e);
            }
            assertEquals(code, ce.code(), ce::getMessage);
            return ce;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("async call did not complete", e);
        }
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("async call failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("async call did not complete", e);
        }
    }

    /** Polls {@code probe} until it returns non-null, at most {@code deadlineMs}. */
    static <T> T poll(String what, Supplier<T> probe, long deadlineMs) {
        long end = System.currentTimeMillis() + deadlineMs;
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.currentTimeMillis() > end) {
                return fail("timed out after " + deadlineMs + " ms waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            }
        }
    }

    /** Status of every replica (null entries for replicas that did not answer). */
    protected List<ReplicaStatus> statuses() {
        List<ReplicaStatus> out = new ArrayList<>();
        for (int i = 1; i <= replicas(); i++) {
            try {
                out.add(ChubbyClient.status(cell.clientAddress(i), Duration.ofSeconds(2)));
            } catch (ChubbyException e) {
                out.add(null);
            }
        }
        return out;
    }

    protected ReplicaStatus masterStatus() {
        return poll("a master", () -> statuses().stream().filter(s -> s != null && s.isMaster()).findFirst()
                .orElse(null), CONVERGE_DEADLINE_MS);
    }

    /**
     * Last test of every class: after the whole suite, every replica applies the same log to the
     * same state (same applied index and state checksum), and there is exactly one master.
     */
    @Test
    @Order(10_000)
    void everyReplicaConvergesToTheSameAppliedIndexAndChecksum() {
        client.write("/ls/local/" + getClass().getSimpleName() + "-final", "the last write".getBytes());
        long masterApplied = masterStatus().appliedIndex();
        List<ReplicaStatus> converged = poll("all " + replicas() + " replicas at one applied index >= "
                + masterApplied + " and one checksum", () -> {
                    List<ReplicaStatus> all = statuses();
                    if (all.stream().anyMatch(s -> s == null || s.appliedIndex() < masterApplied)) {
                        return null;
                    }
                    Set<String> states = all.stream().map(s -> s.appliedIndex() + "/" + Long.toHexString(s.checksum()))
                            .collect(Collectors.toSet());
                    return states.size() == 1 ? all : null;
                }, CONVERGE_DEADLINE_MS);
        assertEquals(1, converged.stream().filter(ReplicaStatus::isMaster).count(), converged::toString);
        assertTrue(converged.get(0).nodes() > 1, converged::toString);
    }

    private static void closeQuietly(ChubbyClient c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (RuntimeException e) {
            // best effort at teardown: the cell is stopped next anyway
        }
    }
}
