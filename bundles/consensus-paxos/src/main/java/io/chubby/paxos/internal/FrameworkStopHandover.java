package io.chubby.paxos.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Hands every group this replica masters to a caught-up replica as soon as the framework starts
 * to stop (the system bundle's STOPPING event: SIGTERM runs Felix's shutdown hook), before any
 * bundle stops: client connections and state machines are still there, so the cell pauses for a
 * handoff while the stopping replica answers what it has in flight and sends new calls on
 * (issue 19, planned failover). Synchronous: the framework waits for it (at most the read grace
 * plus a renew period, {@link Handoffs#handOverAll}).
 */
final class FrameworkStopHandover implements SynchronousBundleListener {
    private final BundleContext context;
    private final GroupHost host;

    private FrameworkStopHandover(BundleContext context, GroupHost host) {
        this.context = context;
        this.host = host;
    }

    /** Listens from now on; {@link #close} stops listening. */
    static FrameworkStopHandover listen(BundleContext context, GroupHost host) {
        FrameworkStopHandover l = new FrameworkStopHandover(context, host);
        context.addBundleListener(l);
        return l;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == 0) {
            host.handoffs().handOverAll();
        }
    }

    void close() {
        try {
            context.removeBundleListener(this);
        } catch (IllegalStateException stale) {
            // our bundle is already stopped: the framework dropped the listener itself
        }
    }
}
