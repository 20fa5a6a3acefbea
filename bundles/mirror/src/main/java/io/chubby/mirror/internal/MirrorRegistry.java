package io.chubby.mirror.internal;

import io.chubby.mirror.internal.plan.LoopGuard;
import io.chubby.mirror.internal.plan.Subtrees;
import io.chubby.spi.MetricSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Component;

/**
 * The mirrors of this replica: their subtrees (what {@link ReadOnlyFilter} protects), the target
 * sessions they write with (the only sessions allowed to write there), their status, and the
 * operator's confirmations. Shared by every {@link MirrorComponent}; thread-safe (synchronized: a
 * handful of mirrors, read once per filtered call). Its {@link MetricSource} (spi 1.11) gives the
 * mirrors' lag and state to the metrics bundle while the bundle runs ({@link MirrorSeries}).
 */
@Component(service = {MirrorRegistry.class, MetricSource.class})
public final class MirrorRegistry implements MetricSource {

    /** One registered mirror. */
    private static final class Entry {
        final Subtrees subtrees;
        final Supplier<MirrorStatus> status;
        final Runnable confirm;
        final Object owner;
        /** The sessions this mirror writes with: one, two for a moment while runners overlap. */
        final Set<Long> writers = new HashSet<>();

        Entry(Object owner, Subtrees subtrees, Supplier<MirrorStatus> status, Runnable confirm) {
            this.owner = owner;
            this.subtrees = subtrees;
            this.status = status;
            this.confirm = confirm;
        }
    }

    private final Map<String, Entry> mirrors = new TreeMap<>();
    private final Map<String, Refused> refused = new TreeMap<>();

    private record Refused(Object owner, MirrorStatus status) {
    }

    /**
     * Registers a mirror, or says why not (a loop, a target overlapping another mirror's, a name in
     * use). A refused mirror is still listed, with its refusal, so {@code mirror:status} shows it.
     */
    public synchronized String register(Object owner, String name, Subtrees subtrees, Collection<String> sourceAddresses,
                                        Set<String> ownAddresses, Supplier<MirrorStatus> status, Runnable confirm) {
        if (mirrors.containsKey(name) || refused.containsKey(name)) {
            return "a mirror named '" + name + "' already exists";
        }
        List<Subtrees> others = new ArrayList<>();
        mirrors.values().forEach(e -> others.add(e.subtrees));
        String refusal = LoopGuard.refusal(subtrees, sourceAddresses, ownAddresses, others);
        if (refusal == null) {
            mirrors.put(name, new Entry(owner, subtrees, status, confirm));
        } else {
            refused.put(name, new Refused(owner, status.get().with(MirrorState.REFUSED).withDetail(refusal)));
        }
        return refusal;
    }

    /**
     * Lists a mirror whose configuration cannot be used (an unreadable credentials file, say) as
     * refused with {@code reason}; it protects nothing and never runs. Returns the reason, or the
     * name clash when the name is taken.
     */
    public synchronized String refuse(Object owner, String name, Supplier<MirrorStatus> status, String reason) {
        if (mirrors.containsKey(name) || refused.containsKey(name)) {
            return "a mirror named '" + name + "' already exists";
        }
        refused.put(name, new Refused(owner, status.get().with(MirrorState.REFUSED).withDetail(reason)));
        return reason;
    }

    /** Removes what {@code owner} registered under {@code name} (nothing if another owner holds the name). */
    public synchronized void unregister(Object owner, String name) {
        Entry e = mirrors.get(name);
        if (e != null && e.owner == owner) {
            mirrors.remove(name);
        }
        Refused r = refused.get(name);
        if (r != null && r.owner() == owner) {
            refused.remove(name);
        }
    }

    /** A session the mirror writes its target with, from now on. */
    public synchronized void addWriter(String name, long sessionId) {
        Entry e = mirrors.get(name);
        if (e != null) {
            e.writers.add(sessionId);
        }
    }

    /** That session no longer writes for the mirror (its client closed). */
    public synchronized void removeWriter(String name, long sessionId) {
        Entry e = mirrors.get(name);
        if (e != null) {
            e.writers.remove(sessionId);
        }
    }

    /** The mirror whose target holds {@code path}, and whether {@code sessionId} is its writer; null if none. */
    public synchronized String protecting(String path, long sessionId) {
        for (Map.Entry<String, Entry> m : mirrors.entrySet()) {
            Entry e = m.getValue();
            if (e.subtrees.targetContains(path)) {
                return sessionId != 0 && e.writers.contains(sessionId) ? null : m.getKey();
            }
        }
        return null;
    }

    public synchronized Subtrees subtrees(String name) {
        Entry e = mirrors.get(name);
        return e == null ? null : e.subtrees;
    }

    public synchronized List<MirrorStatus> statuses() {
        List<MirrorStatus> out = new ArrayList<>();
        mirrors.values().forEach(e -> out.add(e.status.get()));
        refused.values().forEach(r -> out.add(r.status()));
        return out;
    }

    @Override
    public List<Metric> metrics() {
        return MirrorSeries.of(statuses());
    }

    /** Confirms the current source root of mirror {@code name} (lets a capped pass remove); false if unknown. */
    public boolean confirm(String name) {
        Entry e;
        synchronized (this) {
            e = mirrors.get(name);
        }
        if (e == null) {
            return false;
        }
        e.confirm.run();
        return true;
    }
}
