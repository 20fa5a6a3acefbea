package io.chubby.dns.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of the DNS server: one blocking {@link DatagramChannel} and one daemon thread that
 * owns it (receive, answer through the server's {@link Answerer}, send). Not MINA on purpose: MINA's datagram
 * acceptor reads one packet per selector round and wakes the selector for every write; inside a
 * replica it measured 3-8x slower than this loop (benchmarks/RESULTS.md, "DNS bridge"), and DNS
 * over UDP has no sessions, framing or back-pressure for MINA to manage. A bad packet or a failed send costs
 * that packet only; {@link #close()} ends the thread by closing the channel.
 */
final class UdpDnsLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpDnsLoop.class);
    private static final int RECEIVE_BUFFER = 1 << 20;

    /** Answers one query (null: no answer); must not throw. */
    interface Answerer {
        byte[] answer(byte[] query, SocketAddress remote);
    }

    private final DatagramChannel channel;
    private final Thread thread;
    private final Answerer answerer;

    UdpDnsLoop(InetSocketAddress bind, Answerer answerer) throws IOException {
        this.answerer = answerer;
        this.channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            channel.bind(bind);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.thread = new Thread(this::run, "dns-udp-" + bind.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** The bound port (useful when binding to port 0). */
    int localPort() {
        return channel.socket().getLocalPort();
    }

    private void run() {
        // 64 KiB: the largest datagram; queries are small, but a big one must not be cut and misread
        ByteBuffer in = ByteBuffer.allocate(65535);
        while (channel.isOpen()) {
            SocketAddress remote;
            try {
                in.clear();
                remote = channel.receive(in);
            } catch (ClosedChannelException e) {
                return; // close(): also covers AsynchronousCloseException
            } catch (IOException e) {
                LOG.debug("dns udp receive error cause={}", e.toString());
                continue;
            }
            if (remote == null) {
                continue;
            }
            byte[] query = new byte[in.position()];
            in.flip();
            in.get(query);
            byte[] answer = answerer.answer(query, remote);
            if (answer == null) {
                continue;
            }
            try {
                channel.send(ByteBuffer.wrap(answer), remote);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("dns udp send error remote={} cause={}", remote, e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("dns udp close error cause={}", e.toString());
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
