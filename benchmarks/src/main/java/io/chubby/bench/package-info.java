/**
 * Side-by-side benchmark harness: starts a 5-replica cell of ours and a 5-node ZooKeeper ensemble
 * on loopback (fsync on for both), runs the same workloads against each in turn, and reports
 * medians, percentiles and ratios. Run with {@code benchmarks/run}; never part of the test suite.
 */
package io.chubby.bench;
