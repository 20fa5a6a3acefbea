package io.chubby.it.plugin;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.RequestFilter;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A request-filter bundle: records every call it sees ({@code OPERATION path principal session})
 * and refuses every SetACL with PERMISSION_DENIED. The record is published as a
 * {@code Supplier<List<String>>} service (JDK types only, so a test in another bundle can read it)
 * with property {@code chubby.it=call-recorder}.
 */
public final class CallRecorder implements BundleActivator, RequestFilter, Supplier<List<String>> {
    public static final String REFUSAL = "SetACL is frozen by the test filter";
    private final List<String> seen = new ArrayList<>();
    private ServiceRegistration<?> filter;
    private ServiceRegistration<?> log;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("chubby.it", "call-recorder");
        log = context.registerService(Supplier.class.getName(), this, props);
        filter = context.registerService(RequestFilter.class, this, null);
    }

    @Override
    public void stop(BundleContext context) {
        filter.unregister();
        log.unregister();
    }

    @Override
    public void filter(CellRequest request) {
        synchronized (seen) {
            seen.add(request.operation() + " " + (request.path() == null ? "-" : request.path()) + " "
                    + request.principal().name() + " " + request.sessionId());
        }
        if (request.operation() == CellOperation.SET_ACL) {
            throw new ChubbyException(ErrorCode.PERMISSION_DENIED, REFUSAL);
        }
    }

    @Override
    public List<String> get() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }
}
