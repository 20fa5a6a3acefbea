package io.chubby.metrics.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * {@code jvm_memory_pool_allocated_bytes_total{pool}}: bytes allocated in each memory pool, counted
 * at every garbage collection from the pools' usage before and after it, as the Prometheus client's
 * {@code JvmMemoryPoolAllocationMetrics} counts them. That class adds a listener to the platform's
 * garbage collector MXBeans and never removes it: the JVM kept every uninstalled or updated build
 * of this bundle (its class loader, the embedded client) alive through that listener, one more per
 * activation. This one is removed by {@link #close()}, and its totals are plain numbers written as
 * a counter snapshot: the client's {@code Counter} samples exemplars through a static scheduler
 * thread that would outlive the bundle too.
 */
final class AllocatedBytes implements MultiCollector, NotificationListener, AutoCloseable {
    static final String NAME = "jvm_memory_pool_allocated_bytes";
    static final String HELP = "Total bytes allocated in a given JVM memory pool. Only updated after GC, not continuously.";

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final Map<String, Long> usedAfterLastGc = new HashMap<>();
    private final Map<String, Long> allocated = new TreeMap<>();

    /**
     * Listens to the JVM's garbage collectors; null when this JVM has no {@code com.sun.management}
     * (the series is then absent, as with the client's class).
     */
    static AllocatedBytes start() {
        try {
            Class.forName("com.sun.management.GarbageCollectionNotificationInfo", false,
                    AllocatedBytes.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        AllocatedBytes a = new AllocatedBytes();
        a.listenTo(ManagementFactory.getGarbageCollectorMXBeans());
        return a;
    }

    void listenTo(List<GarbageCollectorMXBean> collectors) {
        for (GarbageCollectorMXBean gc : collectors) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(this, null, null);
                synchronized (this) {
                    emitters.add(e);
                }
            }
        }
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
        Map<String, MemoryUsage> after = info.getMemoryUsageAfterGc();
        for (Map.Entry<String, MemoryUsage> before : info.getMemoryUsageBeforeGc().entrySet()) {
            MemoryUsage a = after.get(before.getKey());
            if (a != null) {
                pool(before.getKey(), before.getValue().getUsed(), a.getUsed());
            }
        }
    }

    /**
     * One pool in one collection: what it gained since the end of the previous collection (new
     * objects), plus what it gained during this one (objects promoted into it).
     */
    synchronized void pool(String pool, long usedBefore, long usedAfter) {
        Long last = usedAfterLastGc.put(pool, usedAfter);
        long sinceLast = Math.max(0, usedBefore - (last == null ? 0 : last));
        long promoted = Math.max(0, usedAfter - usedBefore);
        if (sinceLast + promoted > 0) {
            allocated.merge(pool, sinceLast + promoted, Long::sum);
        }
    }

    @Override
    public synchronized MetricSnapshots collect() {
        if (allocated.isEmpty()) {
            return new MetricSnapshots();
        }
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(NAME).help(HELP);
        allocated.forEach((pool, bytes) -> b.dataPoint(CounterDataPointSnapshot.builder()
                .labels(Labels.of("pool", pool)).value(bytes).build()));
        return new MetricSnapshots(b.build());
    }

    /** Removes the listener from every collector it was added to; the JVM then holds nothing of ours. */
    @Override
    public synchronized void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException gone) {
                // not there any more: nothing to remove
            }
        }
        emitters.clear();
    }

    /** How many collectors this listens to now (tests). */
    synchronized int listening() {
        return emitters.size();
    }
}
