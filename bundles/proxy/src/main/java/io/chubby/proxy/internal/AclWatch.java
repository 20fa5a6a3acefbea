package io.chubby.proxy.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ErrorCode;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.DirEntryMessage;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.proxy.internal.core.ReadGrants;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices ACL file changes for {@link ReadGrants}: every {@code proxy.acl.refresh.ms} it lists
 * {@code /ls/<cell>/acl} with the proxy's own session (name, instance and content generation of
 * each file) and hands that to the grants, which drop everything when it changed. A listing that
 * fails (no session yet, no master, the proxy's principal may not read the directory) drops every
 * grant until one succeeds: reads then pass through to the master. A missing directory is a
 * listing too (no ACL files). Called on the proxy's timer thread; one listing in flight at a time.
 */
final class AclWatch {
    private static final Logger LOG = LoggerFactory.getLogger(AclWatch.class);
    private static final int READ = 1;

    private final MasterChannel channel;
    private final ReadGrants grants;
    private final LongSupplier ownSession;
    private final Supplier<String> cell;
    private final Duration callTimeout;
    private volatile boolean polling;
    private volatile ByteString dir;
    private volatile long dirSession;
    private volatile String lastFailure = "";

    AclWatch(MasterChannel channel, ReadGrants grants, LongSupplier ownSession, Supplier<String> cell,
             Duration callTimeout) {
        this.channel = channel;
        this.grants = grants;
        this.ownSession = ownSession;
        this.cell = cell;
        this.callTimeout = callTimeout;
    }

    /** Lists the ACL directory once (unless a listing is still in flight). */
    void poll() {
        if (polling) {
            return;
        }
        long own = ownSession.getAsLong();
        String cellName = cell.get();
        if (own == 0 || cellName.isEmpty()) {
            grants.aclUnknown();
            return;
        }
        polling = true;
        String path = "/ls/" + cellName + "/acl";
        handle(own, path).thenCompose(h -> h == null ? CompletableFuture.completedFuture("absent")
                        : call(own, Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(h)))
                        .thenApply(r -> {
                            if (r.hasError() || !r.hasReadDir()) {
                                dir = null; // a stale handle (failover, node re-created): opened again next time
                                throw new IllegalStateException("ReadDir " + path + ": " + r.getError().getMessage());
                            }
                            return r.getReadDir().getEntriesList().stream()
                                    .sorted(Comparator.comparing(DirEntryMessage::getName))
                                    .map(e -> e.getName() + "@" + e.getStat().getInstance() + ":"
                                            + e.getStat().getContentGeneration())
                                    .collect(Collectors.joining(","));
                        }))
                .whenComplete((fingerprint, err) -> {
                    if (err == null) {
                        grants.aclFiles(fingerprint);
                        lastFailure = "";
                    } else {
                        grants.aclUnknown();
                        String why = String.valueOf(err.getCause() != null ? err.getCause().getMessage() : err);
                        if (!why.equals(lastFailure)) {
                            LOG.warn("cannot list {}: cached reads are not served to clients until it can be "
                                    + "listed again: {}", path, why);
                            lastFailure = why;
                        }
                    }
                    polling = false;
                });
    }

    /** A READ handle of the ACL directory (null: there is none), opened once per own session. */
    private CompletableFuture<ByteString> handle(long own, String path) {
        ByteString h = dir;
        if (h != null && dirSession == own) {
            return CompletableFuture.completedFuture(h);
        }
        return call(own, Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(READ)))
                .thenApply(r -> {
                    if (r.hasError() && r.getError().getCode() == ErrorCode.NO_SUCH_NODE.wire()) {
                        return null;
                    }
                    if (r.hasError() || !r.hasOpen()) {
                        throw new IllegalStateException("open " + path + ": " + r.getError().getMessage());
                    }
                    dir = r.getOpen().getHandle();
                    dirSession = own;
                    return dir;
                });
    }

    private CompletableFuture<Response> call(long session, Request.Builder req) {
        return channel.call(req.setSessionId(session).build().toByteArray(), MasterChannel.Retry.IDEMPOTENT,
                callTimeout).thenApply(bytes -> {
                    try {
                        return Response.parseFrom(bytes);
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException("undecodable answer", e);
                    }
                });
    }
}
