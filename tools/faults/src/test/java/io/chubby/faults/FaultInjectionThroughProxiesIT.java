package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault-injection run of CI with every client behind two Chubby proxies (bin/chubby-proxy, real
 * processes): the register workload, the lock workers with their protected register, the ephemeral
 * holders (real CLI processes) and the final reads reach the cell only through the proxies, whose
 * upstream goes through the client TcpProxies. The nemesis draws from every replica fault and also
 * kills (kill -9, restart on the same port) and pauses (SIGSTOP, a few seconds) the proxies.
 * Same checks as {@link FaultInjectionIT}: linearizable registers (cached reads included: a proxy
 * serves reads from its shared cache), the lock model and sequencer checks, ephemeral files, no
 * session expired, epochs never going back, converged replicas; zero anomalies.
 */
class FaultInjectionThroughProxiesIT {
    private static final long SEED = 20261204L;
    private static final Duration WORKLOAD = Duration.ofSeconds(50);

    @Test
    @Timeout(value = 240)
    void noAnomaliesThroughProxiesUnderFaults() throws Exception {
        RunSummary summary = FaultInjectionIT.runAndCheck(SEED, "faults-proxies-it-", s -> s.withProxies(2), WORKLOAD);
        Map<String, Integer> kinds = summary.faultsByKind();
        assertTrue(kinds.getOrDefault("kill-proxy", 0) + kinds.getOrDefault("pause-proxy", 0) >= 1,
                "no proxy fault in this run: " + summary.line());
    }
}
