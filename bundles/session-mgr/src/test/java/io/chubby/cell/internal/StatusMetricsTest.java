package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.chubby.protocol.StatusReply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 22: the Status numbers as the {@code CellMetrics} map the metrics bundle reads. */
class StatusMetricsTest {

    @Test
    void numbersAreKeptTextIsDroppedAndTheLeaseCountIsRenamed() {
        StatusReply status = StatusReply.newBuilder().setSessions(7).setNodes(42)
                .putMetrics("handles", "12").putMetrics("keepalives_per_s", "3.5")
                .putMetrics("sessions", "5").putMetrics("authorizer", "none")
                .putMetrics("restored_from", "backup-1 at index 9").build();

        Map<String, Number> m = StatusMetrics.of(status);

        assertEquals(12L, m.get("handles"));
        assertEquals(3.5, m.get("keepalives_per_s"));
        assertEquals(7L, m.get("sessions"));
        assertEquals(5L, m.get("leased_sessions"));
        assertEquals(42L, m.get("nodes"));
        assertFalse(m.containsKey("authorizer"));
        assertFalse(m.containsKey("restored_from"));
    }

    @Test
    void notANumberIsNone() {
        assertNull(StatusMetrics.number("NaN"));
        assertNull(StatusMetrics.number(""));
        assertEquals(-3L, StatusMetrics.number("-3"));
    }
}
