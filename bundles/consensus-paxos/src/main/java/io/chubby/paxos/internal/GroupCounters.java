package io.chubby.paxos.internal;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * What one Paxos group of this replica did since it started, counted by the loop thread where it
 * happens ({@link PaxosGroup}) and read by the metrics bundle from any thread: proposals the node
 * took, entries learnt chosen, snapshots sent and installed, and catch-ups (a peer found behind the
 * compacted log). {@link #metrics} is pure.
 */
final class GroupCounters {
    final AtomicLong proposals = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong snapshotsSent = new AtomicLong();
    final AtomicLong snapshotsInstalled = new AtomicLong();
    final AtomicLong catchUps = new AtomicLong();

    /** Every group's counters as series labelled {@code group} (group 0 alone with one group). */
    static List<Metric> metrics(Map<Integer, GroupCounters> groups) {
        return List.of(
                counter(groups, "chubby_proposals", "Commands this replica proposed as master (the node gave them an "
                        + "index)", c -> c.proposals.get()),
                counter(groups, "chubby_commits", "Log entries this replica learnt chosen (every replica; rate() "
                        + "gives commits per second)", c -> c.commits.get()),
                counter(groups, "chubby_snapshots_sent", "Snapshot transfers this replica started to a peer",
                        c -> c.snapshotsSent.get()),
                counter(groups, "chubby_snapshots_installed", "Snapshots this replica received and installed",
                        c -> c.snapshotsInstalled.get()),
                counter(groups, "chubby_catchups", "Peers this master found behind its compacted log (each is "
                        + "caught up by a snapshot; flagged at most once per lease)", c -> c.catchUps.get()));
    }

    private static Metric counter(Map<Integer, GroupCounters> groups, String name, String help,
                                  ToLongFunction<GroupCounters> value) {
        List<Sample> samples = new ArrayList<>(groups.size());
        groups.forEach((g, c) -> samples.add(Sample.of(value.applyAsLong(c), "group", Integer.toString(g))));
        return new Metric(name, help, Type.COUNTER, samples);
    }
}
