package io.chubby.bench;

/**
 * One workload's outcome on one system.
 *
 * @param opsPerSec throughput (NaN when the workload does not measure it)
 * @param p50Ms     median latency in ms
 * @param p99Ms     99th percentile latency in ms
 * @param maxMs     worst latency in ms
 * @param samples   how many operations or repetitions were measured
 * @param note      anything the reader must know (errors seen, shortfalls)
 */
record Result(String workload, String system, double opsPerSec, double p50Ms, double p99Ms, double maxMs,
              int samples, String note) {
}
