package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {
    /** Lines as etcd 3.4 serves them at /metrics. */
    private static final String ETCD = """
            # HELP etcd_debugging_lease_renewed_total The number of renewed leases seen by the leader.
            # TYPE etcd_debugging_lease_renewed_total counter
            etcd_debugging_lease_renewed_total 1234
            grpc_server_handled_total{grpc_code="OK",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 40
            grpc_server_handled_total{grpc_code="Unavailable",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 2
            grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 7
            grpc_server_msg_received_total{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"} 5.5e+06
            etcd_debugging_lease_ttl_total_bucket{le="+Inf"} 2
            go_gc_duration_seconds{quantile="0.5"} NaN
            """;

    @Test
    void sumsSamplesByNameAndLabelSubset() {
        PromText p = PromText.parse(ETCD);
        assertEquals(1234, p.sum("etcd_debugging_lease_renewed_total", Map.of()));
        assertEquals(42, p.sum("grpc_server_handled_total", Map.of("grpc_method", "Range")));
        assertEquals(40, p.sum("grpc_server_handled_total", Map.of("grpc_method", "Range", "grpc_code", "OK")));
        assertEquals(49, p.sum("grpc_server_handled_total", Map.of()));
        assertEquals(5_500_000, p.sum("grpc_server_msg_received_total", Map.of("grpc_method", "LeaseKeepAlive")));
        assertEquals(0, p.sum("grpc_server_handled_total", Map.of("grpc_method", "Txn")));
        assertEquals(0, p.sum("no_such_metric", Map.of()));
    }

    @Test
    void readsSpecialValuesLabelsWithEscapesAndTimestamps() {
        PromText p = PromText.parse("""
                etcd_debugging_lease_ttl_total_bucket{le="+Inf"} +Inf
                m{path="a\\"b\\\\c", x="1"} 3 1700000000000
                m{x="2",} 4
                """);
        assertEquals(3, p.samples().size());
        assertEquals(Double.POSITIVE_INFINITY, p.samples().get(0).value());
        assertEquals(Map.of("path", "a\"b\\c", "x", "1"), p.samples().get(1).labels());
        assertEquals(3, p.samples().get(1).value());
        assertEquals(4, p.sum("m", Map.of("x", "2")));
        assertEquals(Double.NaN, PromText.parse(ETCD).sum("go_gc_duration_seconds", Map.of()));
    }

    @Test
    void refusesWhatIsNotASample() {
        assertThrows(IllegalArgumentException.class, () -> PromText.parse("just_a_name\n"));
        assertThrows(IllegalArgumentException.class, () -> PromText.parse("m{a=\"1\" 3\n"));
        assertThrows(IllegalArgumentException.class, () -> PromText.parse("m{a=1} 3\n"));
        assertThrows(IllegalArgumentException.class, () -> PromText.parse("m 3x\n"));
    }
}
