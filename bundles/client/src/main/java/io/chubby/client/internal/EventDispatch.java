package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.Event;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes events to per-handle listeners by the subscribing handle's bytes (which the master puts
 * in every handle event). Called on the client's serial notifier thread only, so listeners see
 * events in the session's order. Registration is thread-safe.
 */
final class EventDispatch {
    private static final Logger log = LoggerFactory.getLogger(EventDispatch.class);
    private final Map<ByteString, List<Consumer<Event>>> byHandle = new ConcurrentHashMap<>();

    void add(ByteString handle, Consumer<Event> listener) {
        byHandle.computeIfAbsent(handle, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    void remove(ByteString handle, Consumer<Event> listener) {
        List<Consumer<Event>> l = byHandle.get(handle);
        if (l != null) {
            l.remove(listener);
        }
    }

    /** The handle was closed: its listeners hear nothing more. */
    void removeAll(ByteString handle) {
        byHandle.remove(handle);
    }

    /** An event for the whole session (master failover): every handle listener hears it. */
    void deliverAll(Event event) {
        byHandle.keySet().forEach(h -> deliver(h, event));
    }

    void deliver(ByteString handle, Event event) {
        List<Consumer<Event>> l = handle.isEmpty() ? null : byHandle.get(handle);
        if (l == null) {
            return;
        }
        for (Consumer<Event> c : l) {
            try {
                c.accept(event);
            } catch (RuntimeException e) {
                log.warn("handle event listener failed event={} error={}", event, e.toString());
            }
        }
    }
}
