package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ZkMntrTest {
    @Test
    void readsKeyTabValueLines() {
        Map<String, String> m = ZkEnsemble.parseMntr("zk_version\t3.9.5-abc, built on 2025-01-01\n"
                + "zk_server_state\tobserver\nzk_packets_received\t12345\n\nnot a metric line\n");
        assertEquals("3.9.5-abc, built on 2025-01-01", m.get("zk_version"));
        assertEquals("observer", m.get("zk_server_state"));
        assertEquals("12345", m.get("zk_packets_received"));
        assertEquals(3, m.size());
        assertTrue(ZkEnsemble.parseMntr("").isEmpty());
    }
}
