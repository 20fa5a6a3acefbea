package io.chubby.mirror.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.Event;
import io.chubby.api.EventType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventMapperTest {
    private final EventMapper mapper = new EventMapper(Subtrees.parse("/ls/global/cfg", "/ls/local/shadow"));

    private Optional<MirrorTask> map(EventType type, String path, String child) {
        return mapper.map(new Event(type, path, child, 1));
    }

    @Test
    void childEventsOfAWatchedDirectoryNameTheChild() {
        assertEquals(Optional.of(new MirrorTask.Sync("a/x")), map(EventType.CHILD_ADDED, "/ls/global/cfg/a", "x"));
        assertEquals(Optional.of(new MirrorTask.Sync("x")), map(EventType.CHILD_MODIFIED, "/ls/global/cfg", "x"));
        assertEquals(Optional.of(new MirrorTask.Remove("a/x")), map(EventType.CHILD_REMOVED, "/ls/global/cfg/a", "x"));
    }

    @Test
    void contentsOfTheRootFileSyncTheRoot() {
        assertEquals(Optional.of(new MirrorTask.Sync("")), map(EventType.CONTENTS_MODIFIED, "/ls/global/cfg", null));
    }

    @Test
    void failoverAndALostRootAskForAReconciliation() {
        assertEquals(MirrorTask.Reconcile.class, map(EventType.MASTER_FAILED_OVER, null, null).orElseThrow().getClass());
        assertEquals(MirrorTask.Reconcile.class, map(EventType.HANDLE_INVALID, "/ls/global/cfg", null).orElseThrow().getClass());
        assertEquals(Optional.empty(), map(EventType.HANDLE_INVALID, "/ls/global/cfg/a", null));
    }

    @Test
    void lockEventsAndPathsOutsideTheSubtreeMapToNothing() {
        assertEquals(Optional.empty(), map(EventType.LOCK_ACQUIRED, "/ls/global/cfg", null));
        assertEquals(Optional.empty(), map(EventType.CONFLICTING_LOCK_REQUEST, "/ls/global/cfg", null));
        assertEquals(Optional.empty(), map(EventType.CHILD_ADDED, "/ls/global/cfgx", "a"));
        assertEquals(Optional.empty(), map(EventType.CHILD_ADDED, "/ls/global/cfg", null));
    }
}
