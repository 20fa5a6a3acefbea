package io.chubby.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the {@link DirectoryWorker} did to directories and their files, and the checks on it once
 * the cell is healed. Every name is created at most once and deleted at most once (names are never
 * reused), so the checks need no model search:
 * <ul>
 *   <li>{@code directory-create-lost}: a node whose create was acknowledged (or answered EXISTS),
 *       and whose delete was never tried or certainly not applied, is absent at the end, or its
 *       delete answered NO_SUCH_NODE;</li>
 *   <li>{@code directory-child-survived}: a node is present at the end although the delete of its
 *       directory was acknowledged (so is the directory itself);</li>
 *   <li>{@code directory-create-applied}: a node whose only create failed CELL_UNAVAILABLE
 *       (certainly not applied) is present at the end;</li>
 *   <li>{@code directory-not-empty-without-child}: a delete answered NOT_EMPTY although no child
 *       could exist: none was created (acknowledged or unknown) before that delete completed
 *       without its own delete acknowledged before that delete began.</li>
 * </ul>
 * Times are {@link History#now()}. Thread-safe (synchronized): one worker records, the run checks.
 */
final class DirectoryLedger {

    /** How a call ended. FAILED: certainly not applied (CELL_UNAVAILABLE); UNKNOWN: may have been. */
    enum Result { OK, EXISTS, NO_SUCH_NODE, NOT_EMPTY, FAILED, UNKNOWN }

    /** One create or delete of {@code path}. */
    record Call(String path, Result result, long invoke, long complete) {
        boolean mayHaveApplied() {
            return result == Result.OK || result == Result.EXISTS || result == Result.UNKNOWN;
        }
    }

    private final Map<String, Call> creates = new LinkedHashMap<>();
    private final Map<String, Call> deletes = new LinkedHashMap<>();
    /** directory -> its children as created by the worker. */
    private final Map<String, Set<String>> children = new LinkedHashMap<>();
    private final List<Call> notEmpty = new ArrayList<>();

    synchronized void created(String path, Result result, long invoke, long complete) {
        requireNew(creates, path);
        creates.put(path, new Call(path, result, invoke, complete));
        String parent = path.substring(0, path.lastIndexOf('/'));
        if (creates.containsKey(parent)) {
            children.computeIfAbsent(parent, p -> new LinkedHashSet<>()).add(path);
        }
    }

    synchronized void deleted(String path, Result result, long invoke, long complete) {
        requireNew(deletes, path);
        deletes.put(path, new Call(path, result, invoke, complete));
    }

    /** A delete that answered NOT_EMPTY does not count as the node's delete: it may be tried again. */
    synchronized void refusedNotEmpty(String path, long invoke, long complete) {
        notEmpty.add(new Call(path, Result.NOT_EMPTY, invoke, complete));
    }

    /** Every node whose existence the final check must ask. */
    synchronized List<String> paths() {
        return List.copyOf(creates.keySet());
    }

    /**
     * The anomalies, given whether each node of {@link #paths()} exists after the heal (a missing
     * or null entry: it could not be asked, itself an anomaly).
     */
    synchronized List<String> check(Map<String, Boolean> exists) {
        List<String> out = new ArrayList<>();
        for (Call c : creates.values()) {
            Boolean present = exists.get(c.path());
            if (present == null) {
                out.add("directory-unchecked path=" + c.path() + ": its existence could not be asked after the heal");
                continue;
            }
            Call d = deletes.get(c.path());
            boolean acknowledged = c.result() == Result.OK || c.result() == Result.EXISTS;
            if (acknowledged && (d == null || d.result() == Result.FAILED) && !present) {
                out.add("directory-create-lost path=" + c.path() + " create=" + c.result() + " delete="
                        + (d == null ? "none" : d.result()) + ": absent after the heal");
            }
            if (acknowledged && d != null && d.result() == Result.NO_SUCH_NODE) {
                out.add("directory-create-lost path=" + c.path() + ": created (" + c.result()
                        + ") and never deleted, but its delete answered NO_SUCH_NODE");
            }
            if (c.result() == Result.FAILED && present) {
                out.add("directory-create-applied path=" + c.path() + ": present after the heal although its create "
                        + "failed CELL_UNAVAILABLE (certainly not applied)");
            }
            String deletedAncestor = deletedAncestor(c.path());
            if (present && deletedAncestor != null) {
                out.add("directory-child-survived path=" + c.path() + " exists after the heal although the delete of "
                        + deletedAncestor + " was acknowledged");
            }
        }
        for (Call refused : notEmpty) {
            if (!couldHaveChild(refused)) {
                out.add("directory-not-empty-without-child path=" + refused.path() + " at " + refused.invoke()
                        + ": no child created before, none left undeleted");
            }
        }
        return out;
    }

    /** The node itself or an ancestor of it whose delete was acknowledged, or null. */
    private String deletedAncestor(String path) {
        for (String p = path; p.lastIndexOf('/') > 0; p = p.substring(0, p.lastIndexOf('/'))) {
            Call d = deletes.get(p);
            if (d != null && d.result() == Result.OK) {
                return p;
            }
        }
        return null;
    }

    private boolean couldHaveChild(Call refused) {
        for (String child : children.getOrDefault(refused.path(), Set.of())) {
            Call c = creates.get(child);
            Call d = deletes.get(child);
            boolean createdBefore = c.mayHaveApplied() && c.invoke() < refused.complete();
            boolean goneBefore = d != null && d.result() == Result.OK && d.complete() < refused.invoke();
            if (createdBefore && !goneBefore) {
                return true;
            }
        }
        return false;
    }

    private static void requireNew(Map<String, Call> calls, String path) {
        if (calls.containsKey(path)) {
            throw new IllegalStateException("recorded twice: " + path);
        }
    }
}
