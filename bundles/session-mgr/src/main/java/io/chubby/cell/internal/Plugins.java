package io.chubby.cell.internal;

import io.chubby.spi.AdminShell;
import io.chubby.spi.Authorizer;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.RequestFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The plug-ins bound to a {@link CellHost}, kept so that a group opened later gets them too: the
 * request filters and authorizers (with ranking and service id) and the admin shell go to every
 * group's server, so no group admits calls its plug-ins would refuse; change listeners go to group
 * 0's only (one feed, in one log's order). Not thread-safe: the host calls it under its lock.
 */
final class Plugins {
    private record Ranked<T>(T plugin, int ranking, long serviceId) {
    }

    private final List<Ranked<RequestFilter>> filters = new ArrayList<>();
    private final List<Ranked<Authorizer>> authorizers = new ArrayList<>();
    private final List<ChangeListener> listeners = new ArrayList<>();
    private AdminShell shell;

    /** Gives {@code server} every plug-in bound so far. */
    void applyTo(CellServer server) {
        filters.forEach(f -> server.addFilter(f.plugin(), f.ranking(), f.serviceId()));
        authorizers.forEach(a -> server.addAuthorizer(a.plugin(), a.ranking(), a.serviceId()));
        if (shell != null) {
            server.setAdminShell(shell);
        }
        if (server.group() == 0) {
            listeners.forEach(server::addChangeListener);
        }
    }

    void addFilter(RequestFilter filter, int ranking, long serviceId) {
        filters.add(new Ranked<>(filter, ranking, serviceId));
    }

    void removeFilter(RequestFilter filter) {
        filters.removeIf(f -> f.plugin() == filter);
    }

    void addAuthorizer(Authorizer authorizer, int ranking, long serviceId) {
        authorizers.add(new Ranked<>(authorizer, ranking, serviceId));
    }

    void removeAuthorizer(Authorizer authorizer) {
        authorizers.removeIf(a -> a.plugin() == authorizer);
    }

    void addChangeListener(ChangeListener listener) {
        listeners.add(listener);
    }

    void removeChangeListener(ChangeListener listener) {
        listeners.remove(listener);
    }

    void setAdminShell(AdminShell s) {
        shell = s;
    }

    /** Clears the shell only if it is the one named (DS binds a greedy replacement before unbinding the old). */
    boolean unsetAdminShell(AdminShell s) {
        if (shell == s) {
            shell = null;
            return true;
        }
        return false;
    }
}
