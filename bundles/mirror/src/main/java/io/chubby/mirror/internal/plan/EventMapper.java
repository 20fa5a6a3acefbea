package io.chubby.mirror.internal.plan;

import io.chubby.api.Event;
import java.util.Optional;

/**
 * Turns an event from a source handle into a mirror task. The mirror holds one handle per source
 * directory subscribed to CHILD_ADDED, CHILD_REMOVED and CHILD_MODIFIED (a child's contents and
 * ACL names changing raise CHILD_MODIFIED on its parent), plus CONTENTS_MODIFIED when the source
 * root is a file. A failover of the source master or an invalidated source root may have lost
 * events: both ask for a reconciliation. Lock events and events outside the subtree map to
 * nothing.
 */
public final class EventMapper {
    private final Subtrees subtrees;

    public EventMapper(Subtrees subtrees) {
        this.subtrees = subtrees;
    }

    public Optional<MirrorTask> map(Event event) {
        if (event.type() == io.chubby.api.EventType.MASTER_FAILED_OVER) {
            return Optional.of(new MirrorTask.Reconcile("the source master failed over"));
        }
        String relative = event.path() == null ? null : subtrees.relativeToSource(event.path());
        if (relative == null) {
            return Optional.empty();
        }
        return switch (event.type()) {
            case CHILD_ADDED, CHILD_MODIFIED -> child(relative, event).map(MirrorTask.Sync::new);
            case CHILD_REMOVED -> child(relative, event).map(MirrorTask.Remove::new);
            case CONTENTS_MODIFIED -> Optional.of(new MirrorTask.Sync(relative));
            case HANDLE_INVALID -> relative.isEmpty()
                    ? Optional.of(new MirrorTask.Reconcile("the source root was removed or replaced"))
                    : Optional.empty();
            case MASTER_FAILED_OVER, LOCK_ACQUIRED, CONFLICTING_LOCK_REQUEST -> Optional.empty();
        };
    }

    private static Optional<String> child(String relative, Event event) {
        String name = event.child();
        if (name == null || name.isEmpty() || name.contains("/")) {
            return Optional.empty();
        }
        return Optional.of(Subtrees.child(relative, name));
    }
}
