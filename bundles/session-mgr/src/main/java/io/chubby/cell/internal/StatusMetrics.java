package io.chubby.cell.internal;

import io.chubby.protocol.StatusReply;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of a Status reply as one map for {@link io.chubby.spi.CellMetrics}: the reply's
 * {@code sessions} (in the replicated state) and {@code nodes} fields and every metric whose text is
 * a number (integers as {@link Long}, the rest as {@link Double}); the metric {@code sessions} (the
 * sessions whose lease this master keeps) is named {@code leased_sessions} here, and text metrics
 * ({@code authorizer}, {@code restored_from}) are left out. Pure.
 */
final class StatusMetrics {
    private StatusMetrics() {
    }

    static Map<String, Number> of(StatusReply status) {
        Map<String, Number> out = new TreeMap<>();
        status.getMetricsMap().forEach((key, text) -> {
            Number n = number(text);
            if (n != null) {
                out.put(key.equals("sessions") ? "leased_sessions" : key, n);
            }
        });
        out.put("nodes", status.getNodes());
        out.put("sessions", status.getSessions());
        return out;
    }

    /** The number written in {@code text}, or null when it is not one. */
    static Number number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notLong) {
            try {
                double d = Double.parseDouble(text);
                return Double.isFinite(d) ? d : null;
            } catch (NumberFormatException notNumber) {
                return null;
            }
        }
    }
}
