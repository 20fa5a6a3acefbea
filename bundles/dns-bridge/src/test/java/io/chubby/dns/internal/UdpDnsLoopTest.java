package io.chubby.dns.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The UDP loop on a real socket: one answer per answered datagram, none for the rest, and a clean close. */
class UdpDnsLoopTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void answersEachDatagramToItsSenderSkipsUnansweredOnesAndFreesThePortOnClose() throws Exception {
        // answers "echo:<query>" except for queries starting with "drop"
        UdpDnsLoop loop = new UdpDnsLoop(new InetSocketAddress("127.0.0.1", 0), (query, remote) -> {
            String q = new String(query, StandardCharsets.US_ASCII);
            return q.startsWith("drop") ? null : b("echo:" + q);
        });
        int port = loop.localPort();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
            s.send(new DatagramPacket(b("drop me"), 7, to));
            s.send(new DatagramPacket(b("one"), 3, to));
            s.send(new DatagramPacket(b("two"), 3, to));
            assertArrayEquals(b("echo:one"), receive(s), "the dropped query got no answer, the next ones did");
            assertArrayEquals(b("echo:two"), receive(s));
            loop.close();
            s.send(new DatagramPacket(b("three"), 5, to));
            assertThrows(SocketTimeoutException.class, () -> receive(s), "nobody answers after close");
        }
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // the port was released
        }
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        byte[] buf = new byte[512];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }
}
