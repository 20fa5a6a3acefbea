package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.client.ChubbyClient;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ChubbyClient#prepare()}, what the chubby command runs on a second thread while it parses
 * its arguments: it needs no cell, starts no thread (a prepared process that never connects has
 * nothing to stop), may run any number of times, and a client connects as before afterwards.
 */
class PrepareTest {
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void prepareNeedsNoCellStartsNoThreadAndLeavesConnectAsItWas() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        ChubbyClient.prepare();
        ChubbyClient.prepare();
        Set<String> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toSet());
        assertEquals(Set.of(), started);

        FakeReplica m = closer.replica(1);
        m.files.put("/ls/test/f", "x".getBytes(StandardCharsets.UTF_8));
        ChubbyClient c = closer.client(FakeReplica.connect(m));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), c.read("/ls/test/f"));
    }
}
