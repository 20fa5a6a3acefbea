package io.chubby.acl.internal;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The authorizer's decisions for the metrics bundle: how many requests it allowed and denied, and
 * the denials by the right that was missing. Thread-safe (every request thread decides).
 */
final class DecisionCounts {
    private final LongAdder allowed = new LongAdder();
    private final Map<String, LongAdder> deniedByRight = new ConcurrentSkipListMap<>();

    void decided(AccessRules.Verdict v) {
        if (v.decision().allowed()) {
            allowed.increment();
        } else {
            String right = v.right().isEmpty() ? "none" : v.right();
            deniedByRight.computeIfAbsent(right, r -> new LongAdder()).increment();
        }
    }

    List<Metric> metrics() {
        long denied = 0;
        List<Sample> byRight = new ArrayList<>();
        for (Map.Entry<String, LongAdder> e : deniedByRight.entrySet()) {
            long n = e.getValue().sum();
            denied += n;
            byRight.add(Sample.of(n, "right", e.getKey()));
        }
        return List.of(
                new Metric("chubby_acl_decisions", "Requests the ACL authorizer decided, by outcome", Type.COUNTER,
                        List.of(Sample.of(allowed.sum(), "decision", "allow"), Sample.of(denied, "decision", "deny"))),
                new Metric("chubby_acl_denials", "Requests the ACL authorizer denied, by the right missing",
                        Type.COUNTER, byRight));
    }
}
