package io.chubby.bench;

/**
 * One workload's outcome on one system.
 *
 * @param opsPerSec  throughput (NaN when the workload does not measure it)
 * @param p50Ms      median latency in ms
 * @param p99Ms      99th percentile latency in ms
 * @param maxMs      worst latency in ms
 * @param samples    how many operations or repetitions were measured
 * @param note       anything the reader must know (errors seen, shortfalls)
 * @param cpuMsPerOp CPU milliseconds per operation, summed over the system's member processes
 *                   ({@link CpuMeter}; NaN when not measured)
 */
record Result(String workload, String system, double opsPerSec, double p50Ms, double p99Ms, double maxMs,
              int samples, String note, double cpuMsPerOp) {
    /** A result without a CPU figure. */
    Result(String workload, String system, double opsPerSec, double p50Ms, double p99Ms, double maxMs, int samples,
           String note) {
        this(workload, system, opsPerSec, p50Ms, p99Ms, maxMs, samples, note, Double.NaN);
    }

    /** This result with the CPU figure of {@code cpu} (its note gains the meter's remark, if any). */
    Result withCpu(CpuMeter.Reading cpu) {
        String remark = cpu.remark();
        String n = remark.isEmpty() ? note : note.isEmpty() ? remark : note + "; " + remark;
        return new Result(workload, system, opsPerSec, p50Ms, p99Ms, maxMs, samples, n, cpu.msPerOp());
    }
}
