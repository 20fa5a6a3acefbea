package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuMeterTest {
    @Test
    void cpuMillisecondsPerOperation() {
        // 1.5 s of CPU over 3,000 writes: 0.5 ms each
        assertEquals(0.5, CpuMeter.msPerOp(100.0, 101.5, 3000), 1e-12);
        assertEquals(0.0, CpuMeter.msPerOp(7.0, 7.0, 10), 0.0);
    }

    @Test
    void notMeasuredIsNaN() {
        assertTrue(Double.isNaN(CpuMeter.msPerOp(1.0, 2.0, 0)), "no operations");
        assertTrue(Double.isNaN(CpuMeter.msPerOp(Double.NaN, 2.0, 10)), "no reading before");
        assertTrue(Double.isNaN(CpuMeter.msPerOp(1.0, Double.NaN, 10)), "no reading after");
        assertTrue(Double.isNaN(CpuMeter.msPerOp(5.0, 2.0, 10)), "a process restarted in between");
    }

    @Test
    void aReadingGoesIntoTheResultAndItsRemarkIntoTheNote() {
        Result r = new Result("1. sequential 100-byte writes", "chubby-proxies", 500, 1, 2, 3, 300, "");
        assertTrue(Double.isNaN(r.cpuMsPerOp()));
        Result withCpu = r.withCpu(new CpuMeter.Reading(0.25, "CPU of the processes in front"));
        assertEquals(0.25, withCpu.cpuMsPerOp(), 0.0);
        assertEquals("CPU of the processes in front", withCpu.note());
        Result noted = new Result("w", "s", 1, 1, 1, 1, 1, "2 failed").withCpu(new CpuMeter.Reading(0.1, "x"));
        assertEquals("2 failed; x", noted.note());
        assertEquals("2 failed", new Result("w", "s", 1, 1, 1, 1, 1, "2 failed").withCpu(new CpuMeter.Reading(0.1, "")).note());
    }
}
