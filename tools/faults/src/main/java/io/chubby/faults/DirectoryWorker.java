package io.chubby.faults;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.faults.DirectoryLedger.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory workload of a partitioned cell (docs/PARTITIONING.md section 6), one thread, two
 * sessions A and B: in a loop, create directory D = {@code PARENT/dir-<n>} where D's children are on
 * another partition than D's own node (so every file in D is created across partitions, beside an
 * anchor), create 4 files in D alternately from A and B, delete D (refused NOT_EMPTY when a file
 * exists), then in two cycles of three delete the files and D; every third D stays with its files.
 * Each create and delete goes to the {@link DirectoryLedger} with its result (FAILED only for
 * CELL_UNAVAILABLE, which promises nothing was applied; any other failure is UNKNOWN), checked
 * after the heal. A session that expired is recorded (client id {@code 2000 + 10 * worker + session}) and
 * replaced. Names are never reused.
 */
final class DirectoryWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(DirectoryWorker.class);
    private static final int FILES = 4;
    /** History client ids of sessions A and B (session-expired reports): base + 10 * worker + session. */
    static final int CLIENT_BASE = 2000;

    private final int worker;
    private final String parent;
    private final int partitions;
    private final ClientOptions options;
    private final History history;
    private final DirectoryLedger ledger;
    private final AtomicBoolean stop;
    private final ChubbyClient[] sessions = new ChubbyClient[2];
    private int next;
    /** Invocation and completion (History.now) of the last create or delete. */
    private long invoke;
    private long completed;

    DirectoryWorker(int worker, String parent, int partitions, ClientOptions options, History history,
                    DirectoryLedger ledger, AtomicBoolean stop) {
        this.worker = worker;
        this.parent = parent;
        this.partitions = partitions;
        this.options = options.toBuilder().clientName("faults-directories-" + parent.substring(parent.lastIndexOf('/') + 1))
                .build();
        this.history = history;
        this.ledger = ledger;
        this.stop = stop;
    }

    @Override
    public void run() {
        try {
            for (int cycle = 0; !stop.get(); cycle++) {
                cycle(cycle);
                pause(50);
            }
        } finally {
            for (int s = 0; s < sessions.length; s++) {
                disconnect(s);
            }
        }
    }

    /**
     * The next {@code PARENT/dir-<n>} whose children are on another partition than its own node
     * (which is on the partition of PARENT's children).
     */
    String nextDirectory() {
        int own = PartitionedPaths.partitionOfChildren(parent, partitions);
        while (true) {
            String d = parent + "/dir-" + next++;
            if (PartitionedPaths.partitionOfChildren(d, partitions) != own) {
                return d;
            }
        }
    }

    private void cycle(int cycle) {
        String d = nextDirectory();
        Result made = create(0, d, true);
        ledger.created(d, made, invoke, completed);
        logCall("create", d, made);
        if (made == Result.FAILED) {
            return;
        }
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES && !stop.get(); i++) {
            String f = d + "/f-" + i;
            Result r = create(i % 2, f, false);
            ledger.created(f, r, invoke, completed);
            logCall("create", f, r);
            if (r != Result.FAILED) {
                files.add(f);
            }
        }
        if (!deleteDirectory(0, d) || cycle % 3 == 2) {
            return; // D gone (or possibly gone), or this D stays with its files
        }
        for (int i = 0; i < files.size(); i++) {
            Result r = delete(1 - i % 2, files.get(i));
            ledger.deleted(files.get(i), r, invoke, completed);
            logCall("delete", files.get(i), r);
        }
        deleteDirectory(1, d);
    }

    /** One line per call with its result and how long it took (crossing calls wait for anchors). */
    private void logCall(String op, String path, Result r) {
        log.info("directory call op={} path={} result={} ms={}", op, path, r, (completed - invoke) / 1_000_000);
    }

    /** Deletes D; true when it was refused NOT_EMPTY (D certainly stays), false once recorded as its delete. */
    private boolean deleteDirectory(int session, String d) {
        Result r = delete(session, d);
        logCall("delete", d, r);
        if (r == Result.NOT_EMPTY) {
            ledger.refusedNotEmpty(d, invoke, completed);
            history.count("directory-delete-not-empty");
            return true;
        }
        ledger.deleted(d, r, invoke, completed);
        if (r == Result.OK) {
            history.count("directory-deleted");
        }
        return false;
    }

    private Result create(int session, String path, boolean directory) {
        ChubbyClient c = session(session);
        invoke = History.now();
        if (c == null) {
            completed = History.now();
            return Result.FAILED;
        }
        OpenOptions how = OpenOptions.write().withCreate(CreateMode.MUST);
        Handle h;
        try {
            h = c.open(path, directory ? how.asDirectory() : how);
        } catch (RuntimeException e) {
            completed = History.now();
            return failure(session, e);
        }
        completed = History.now();
        history.count(directory ? "directory-created" : "directory-file-created");
        try {
            h.close();
        } catch (RuntimeException e) {
            afterError(session, ClientWorker.unwrap(e));
        }
        return Result.OK;
    }

    private Result delete(int session, String path) {
        ChubbyClient c = session(session);
        invoke = History.now();
        if (c == null) {
            completed = History.now();
            return Result.FAILED;
        }
        try {
            c.delete(path);
            completed = History.now();
            return Result.OK;
        } catch (RuntimeException e) {
            completed = History.now();
            return failure(session, e);
        }
    }

    /** The result a failure means, and the session replaced when it is unusable. */
    private Result failure(int session, RuntimeException e) {
        ChubbyException ce = ClientWorker.unwrap(e);
        ErrorCode code = ce == null ? null : ce.code();
        Result r;
        if (code == ErrorCode.CELL_UNAVAILABLE) {
            r = Result.FAILED;
        } else if (code == ErrorCode.EXISTS) {
            r = Result.EXISTS;
        } else if (code == ErrorCode.NO_SUCH_NODE) {
            r = Result.NO_SUCH_NODE;
        } else if (code == ErrorCode.NOT_EMPTY) {
            r = Result.NOT_EMPTY;
        } else {
            r = Result.UNKNOWN;
            log.info("directory call failed worker={} session={} error={}", worker, session, e.toString());
        }
        history.count("directory-call-" + r.name().toLowerCase(java.util.Locale.ROOT));
        afterError(session, ce);
        return r;
    }

    private void afterError(int session, ChubbyException ce) {
        ErrorCode code = ce == null ? null : ce.code();
        if (code == ErrorCode.SESSION_EXPIRED || code == ErrorCode.BAD_HANDLE || code == ErrorCode.CANCELLED) {
            if (code == ErrorCode.SESSION_EXPIRED && sessions[session] != null) {
                history.sessionExpired(CLIENT_BASE + 10 * worker + session, sessions[session].sessionId(), History.now(),
                        ce.getMessage());
            }
            disconnect(session);
        }
    }

    /** Session s, connected when needed; null when it could not connect now (the call then fails). */
    private ChubbyClient session(int s) {
        if (sessions[s] == null) {
            try {
                sessions[s] = ChubbyClient.connect(options);
            } catch (RuntimeException e) {
                log.info("directory session connect failed session={} error={}", s, e.toString());
                pause(200);
            }
        }
        return sessions[s];
    }

    private void disconnect(int s) {
        if (sessions[s] != null) {
            try {
                sessions[s].close();
            } catch (RuntimeException e) {
                log.debug("close failed session={} error={}", s, e.toString());
            }
            sessions[s] = null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
