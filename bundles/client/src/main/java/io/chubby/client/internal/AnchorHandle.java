package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The anchor handle of a directory handle on D whose children live in another partition H than D's
 * node (docs/PARTITIONING.md 4.3): opened with {@code OpenRequest.directory_watch} in the client's
 * partition session of H, it answers D's ReadDir and hears the CHILD_* events of D's children, which
 * it hands to D's handle's listeners (every session delivers on the client's one serial notifier,
 * so the order of H's events is kept). Closed with D's handle. Thread-safe: immutable once opened.
 */
final class AnchorHandle {
    /** CHILD_ADDED, CHILD_REMOVED and CHILD_MODIFIED: the events an anchor handle can hear. */
    static final int CHILD_EVENTS = 1 << io.chubby.protocol.EventKind.CHILD_ADDED_VALUE
            | 1 << io.chubby.protocol.EventKind.CHILD_REMOVED_VALUE
            | 1 << io.chubby.protocol.EventKind.CHILD_MODIFIED_VALUE;

    private final SessionKeeper session;
    private final ByteString handle;
    private final String path;

    private AnchorHandle(SessionKeeper session, ByteString handle, String path) {
        this.session = session;
        this.handle = handle;
        this.path = path;
    }

    /**
     * Opens the anchor handle on {@code path} (D) in {@code session} (H's), subscribed to the CHILD_*
     * events of {@code eventMask}, delivered to {@code owner}'s listeners as events of D's handle.
     */
    static CompletableFuture<AnchorHandle> open(SessionKeeper session, String path, int eventMask,
                                                ClientHandle owner) {
        Request.Builder b = Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path)
                .setCreate(Create.CREATE_NO).setDirectoryWatch(true).setEventMask(eventMask & CHILD_EVENTS));
        return session.calls().call(b, false).thenApply(r -> {
            if (!r.hasOpen()) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "Open of the anchor of " + path + " answered with "
                        + r.getBodyCase());
            }
            AnchorHandle a = new AnchorHandle(session, r.getOpen().getHandle(), path);
            if ((eventMask & CHILD_EVENTS) != 0) {
                session.handleEvents().add(a.handle, owner::deliver);
            }
            return a;
        });
    }

    /** D's children as H holds them. */
    CompletableFuture<List<DirEntry>> readDir() {
        return session.calls().call(Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(handle)),
                false).thenApply(r -> {
                    if (!r.hasReadDir()) {
                        throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "unexpected answer " + r.getBodyCase()
                                + " to ReadDir on the anchor of " + path);
                    }
                    return Wire.entries(r.getReadDir().getEntriesList());
                });
    }

    /** Closes it (never fails; retried like a read, as a handle's Close). */
    CompletableFuture<Void> close(long timeoutMillis) {
        session.handleEvents().removeAll(handle);
        return session.calls().callNow(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(handle)),
                false, timeoutMillis).handle((Response r, Throwable e) -> null);
    }
}
