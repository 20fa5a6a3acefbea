package io.chubby.console.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Function;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The web console's security provider (its hook for every request to the console, the bundles
 * page included): lets a request in as the user the {@link Gate} names, else answers 401 with a
 * Basic challenge or 403 with the reason and keeps it out. The only class that names the web
 * console's types (an optional import): loaded only once {@code ConsoleComponent} found them wired
 * (loading this class without them fails: its interface is theirs).
 */
final class ConsoleSecurity implements SecurityProvider {
    /** The provider id the distribution makes the web console wait for. */
    static final String PROVIDER_ID = "chubby";

    private final Function<HttpServletRequest, Gate.Decision> gate;

    /** Registers a provider deciding through {@code gate}, with id {@value #PROVIDER_ID} and a high ranking. */
    static ServiceRegistration<?> register(BundleContext context, Function<HttpServletRequest, Gate.Decision> gate) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(SecurityProvider.PROPERTY_ID, PROVIDER_ID);
        props.put("service.ranking", 1000);
        return context.registerService(SecurityProvider.class, new ConsoleSecurity(gate), props);
    }

    ConsoleSecurity(Function<HttpServletRequest, Gate.Decision> gate) {
        this.gate = gate;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        Gate.Decision d = gate.apply(request);
        if (d.outcome() == Gate.Outcome.ALLOW) {
            return d.user();
        }
        try {
            response.setHeader("Cache-Control", "no-store");
            if (d.outcome() == Gate.Outcome.CHALLENGE) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"" + Gate.REALM + "\", charset=\"UTF-8\"");
                response.sendError(401, d.reason());
            } else {
                response.sendError(403, d.reason());
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away or the response was committed: it stays out either way
        }
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return user != null; // only admins get past authenticate
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // HTTP Basic: the browser forgets the credentials, nothing is kept here
    }
}
