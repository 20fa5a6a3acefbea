package io.chubby.mirror.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.RequestFilter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Makes every mirrored target subtree read-only to everyone but its mirror's own session, so the
 * target cannot diverge from the source: creating, writing, deleting a node or changing its ACL
 * names there is refused with PERMISSION_DENIED naming the mirror. Reads, events and locks are
 * untouched (a lock changes no mirrored state).
 */
@Component(service = RequestFilter.class)
public final class ReadOnlyFilter implements RequestFilter {
    private final MirrorRegistry registry;

    @Activate
    public ReadOnlyFilter(@Reference MirrorRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void filter(CellRequest request) {
        if (request.path() == null || !changesNode(request)) {
            return;
        }
        String mirror = registry.protecting(request.path().toString(), request.sessionId());
        if (mirror != null) {
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, request.path() + " is mirrored by '" + mirror
                    + "' and read-only in this cell: write to the mirror's source instead");
        }
    }

    private static boolean changesNode(CellRequest r) {
        CellOperation op = r.operation();
        return r.creates() || op == CellOperation.SET_CONTENTS || op == CellOperation.SET_ACL
                || op == CellOperation.DELETE;
    }
}
