package io.chubby.cell.internal.calls;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.RequestFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission stage every decoded call passes before it is served (ZooKeeper's "prep" stage):
 * the {@link RequestFilter} whiteboard in ranking order, then the {@link Authorizer} for the calls
 * that need one. Refusals are typed errors; nothing has been proposed yet, so plug-ins change
 * future admission only, never the replay of the log.
 *
 * <p>Fail closed: with {@code aclEnforced} and no authorizer bound, calls that need authorization
 * are refused with PERMISSION_DENIED saying so (sessions stay: KeepAlives need none). A filter or
 * authorizer that throws something other than a {@link ChubbyException} refuses the call (INTERNAL
 * for a filter, PERMISSION_DENIED for the authorizer) and is logged; it never reaches the I/O
 * thread.
 *
 * <p>Plug-ins come and go at any time (DS dynamic references): the bound sets are immutable
 * snapshots swapped atomically, so {@link #admit} takes no lock. With no filter bound and nothing
 * to authorize, a call costs two volatile reads and the plug-in view is never built.
 */
final class RequestPipeline {
    private static final Logger log = LoggerFactory.getLogger(RequestPipeline.class);

    /** A bound plug-in with its OSGi ordering keys. */
    private record Ranked<T>(T service, int ranking, long serviceId) {
    }

    /** Highest ranking first; equal rankings: the older service (lower id) first, as OSGi orders them. */
    private static final Comparator<Ranked<?>> ORDER = Comparator.<Ranked<?>>comparingInt(r -> -r.ranking())
            .thenComparingLong(Ranked::serviceId);

    private final boolean aclEnforced;
    private final NamespaceView namespace;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private volatile List<Ranked<RequestFilter>> filters = List.of();
    private volatile List<Ranked<Authorizer>> authorizers = List.of();

    RequestPipeline(boolean aclEnforced, NamespaceView namespace) {
        this.aclEnforced = aclEnforced;
        this.namespace = namespace;
    }

    /** Calls the authorizer is asked about: all but these, which must keep working (location, liveness) or never fail (Close). */
    static boolean needsAuthorization(CellOperation op) {
        return switch (op) {
            case MASTER_LOCATION, STATUS, KEEP_ALIVE, CLOSE_SESSION, CLOSE -> false;
            default -> true;
        };
    }

    synchronized void addFilter(RequestFilter f, int ranking, long serviceId) {
        filters = sorted(filters, new Ranked<>(f, ranking, serviceId));
        log.info("request filter bound filter={} ranking={} filters={}", f.getClass().getName(), ranking,
                filters.size());
    }

    synchronized void removeFilter(RequestFilter f) {
        filters = without(filters, f);
        log.info("request filter unbound filter={} filters={}", f.getClass().getName(), filters.size());
    }

    synchronized void addAuthorizer(Authorizer a, int ranking, long serviceId) {
        authorizers = sorted(authorizers, new Ranked<>(a, ranking, serviceId));
        log.info("authorizer bound authorizer={} ranking={}", a.getClass().getName(), ranking);
    }

    synchronized void removeAuthorizer(Authorizer a) {
        authorizers = without(authorizers, a);
        log.info("authorizer unbound authorizer={} remaining={}", a.getClass().getName(), authorizers.size());
    }

    int filterCount() {
        return filters.size();
    }

    boolean hasAuthorizer() {
        return !authorizers.isEmpty();
    }

    /** Calls refused by a filter so far. */
    long refusedByFilters() {
        return refused.get();
    }

    /** Calls refused by the authorizer (or for want of one) so far. */
    long deniedByAuthorizer() {
        return denied.get();
    }

    /** Lets the call through, or throws the typed error that refuses it. */
    void admit(Call call) {
        List<Ranked<RequestFilter>> fs = filters;
        List<Ranked<Authorizer>> as = authorizers;
        boolean authorize = needsAuthorization(call.op) && (!as.isEmpty() || aclEnforced);
        if (fs.isEmpty() && !authorize) {
            return;
        }
        CellRequest request = call.request();
        for (Ranked<RequestFilter> f : fs) {
            filter(f.service(), request);
        }
        if (authorize) {
            call.admittedOn(authorize(as.isEmpty() ? null : as.get(0).service(), request).consulted());
        }
    }

    private void filter(RequestFilter f, CellRequest request) {
        try {
            f.filter(request);
        } catch (ChubbyException e) {
            refused.incrementAndGet();
            throw e;
        } catch (RuntimeException | LinkageError e) {
            refused.incrementAndGet();
            log.error("request filter failed, refusing the call filter={} call=\"{}\"", f.getClass().getName(),
                    request, e);
            throw ChubbyException.of(ErrorCode.INTERNAL, "request filter %s failed: %s", f.getClass().getName(), e);
        }
    }

    private Authorizer.Decision authorize(Authorizer a, CellRequest request) {
        if (a == null) {
            denied.incrementAndGet();
            throw ChubbyException.of(ErrorCode.PERMISSION_DENIED, "access control is enforced (cell.acl.enforce) "
                    + "but no authorizer is deployed on this replica: %s refused until one is", request.operation());
        }
        Authorizer.Decision d;
        try {
            d = a.authorize(request, namespace);
        } catch (RuntimeException | LinkageError e) {
            log.error("authorizer failed, refusing the call authorizer={} call=\"{}\"", a.getClass().getName(),
                    request, e);
            d = Authorizer.Decision.deny("the authorizer failed: " + e);
        }
        if (d == null || !d.allowed()) {
            denied.incrementAndGet();
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, d == null ? "the authorizer gave no decision"
                    : d.reason());
        }
        return d;
    }

    private static <T> List<Ranked<T>> sorted(List<Ranked<T>> current, Ranked<T> added) {
        List<Ranked<T>> out = new ArrayList<>(without(current, added.service()));
        out.add(added);
        out.sort(ORDER);
        return List.copyOf(out);
    }

    private static <T> List<Ranked<T>> without(List<Ranked<T>> current, T service) {
        List<Ranked<T>> out = new ArrayList<>(current.size());
        for (Ranked<T> r : current) {
            if (r.service() != service) {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }
}
