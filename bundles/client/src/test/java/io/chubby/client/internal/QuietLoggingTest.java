package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import io.chubby.protocol.Request;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A library stays quiet: a replica that dies or fails over resets the client's connection, which
 * the client handles (retry, or OUTCOME_UNKNOWN for a write), so nothing about it reaches the
 * application's log at WARN or ERROR. MINA 2.2 would log every failed read at ERROR
 * ({@code org.apache.mina.core.service.IoProcessor}, "Exception occured while trying to read,
 * closing session: Connection reset") before any handler hears of it; {@link ClientNioProcessor}
 * hands resets to the handler instead, and the handler logs I/O errors at DEBUG.
 *
 * <p>The tests' slf4j provider is slf4j-simple at WARN, printing to {@code System.err} as it is at
 * the time of each message; the test captures that stream (and checks the capture works).
 */
class QuietLoggingTest {
    private static final String F = "/ls/test/f";
    private static final String PROBE = "capture-probe";
    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void connectionResetsAreNotLoggedAtWarnOrError() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger("org.apache.mina.core.service.IoProcessor").error(PROBE);
            FakeReplica m = closer.replica(1);
            m.files.put(F, "x".getBytes(StandardCharsets.UTF_8));
            ChubbyClient c = closer.client(FakeReplica.connect(m));
            Handle h = c.open(F, OpenOptions.write());
            // a read whose connection is reset is sent again on a new connection
            m.on(Request.BodyCase.GET_CONTENTS, m.resetFirst());
            assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), h.getContentsAndStat().data());
            // a write whose connection is reset after sending: outcome unknown, not retried
            m.on(Request.BodyCase.SET_CONTENTS, FakeReplica.Exchange::reset);
            assertEquals(ErrorCode.OUTCOME_UNKNOWN, assertThrows(ChubbyException.class,
                    () -> h.setContents("y".getBytes(StandardCharsets.UTF_8))).code());
            m.off(Request.BodyCase.SET_CONTENTS);
            h.setContents("z".getBytes(StandardCharsets.UTF_8));
            assertEquals(3, m.sockets.size(), "two resets, three connections");
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains(PROBE)), "the capture sees the log: " + lines);
        assertEquals(List.of(), lines.stream().filter(l -> !l.contains(PROBE))
                .filter(l -> l.contains("ERROR") || l.contains("WARN")).toList());
    }
}
