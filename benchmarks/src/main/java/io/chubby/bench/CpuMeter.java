package io.chubby.bench;

import java.util.Locale;

/**
 * CPU per operation over a measured phase (issue 21): the user + system CPU of the system's member
 * processes ({@link SystemUnderTest#cpuSeconds()}, from /proc) read before and after the phase,
 * divided by the operations the phase completed. Processes in front of the members (proxies,
 * observers; {@link SystemUnderTest#frontCpuSeconds()}) are read too and given apart in the remark,
 * never added to the figure. /proc counts in ticks of 10 ms per process.
 */
final class CpuMeter {
    private final SystemUnderTest sut;
    private final double members;
    private final double front;

    private CpuMeter(SystemUnderTest sut) {
        this.sut = sut;
        this.members = sut.cpuSeconds();
        this.front = sut.frontCpuSeconds();
    }

    /** Reads the CPU at the start of the measured phase. */
    static CpuMeter start(SystemUnderTest sut) {
        return new CpuMeter(sut);
    }

    /** The figure at the end of a phase that completed {@code ops} operations. */
    Reading stop(long ops) {
        double perOp = msPerOp(members, sut.cpuSeconds(), ops);
        double frontPerOp = msPerOp(front, sut.frontCpuSeconds(), ops);
        String remark = Double.isNaN(frontPerOp) ? ""
                : String.format(Locale.ROOT, "CPU of the processes in front of the members (%s): %.3f ms/op, not in the CPU column",
                        sut.frontProcesses(), frontPerOp);
        return new Reading(perOp, remark);
    }

    /**
     * CPU milliseconds per operation from the CPU seconds before and after; NaN without operations,
     * without a reading, or when the sum went down (a process restarted in between).
     */
    static double msPerOp(double secondsBefore, double secondsAfter, long ops) {
        if (ops <= 0 || Double.isNaN(secondsBefore) || Double.isNaN(secondsAfter) || secondsAfter < secondsBefore) {
            return Double.NaN;
        }
        return (secondsAfter - secondsBefore) * 1000 / ops;
    }

    /** CPU ms per operation of the members, and a remark for the note (empty when there is none). */
    record Reading(double msPerOp, String remark) {
    }
}
