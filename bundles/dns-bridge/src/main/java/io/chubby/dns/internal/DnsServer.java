package io.chubby.dns.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS listeners on one port: UDP through {@link UdpDnsLoop} (one packet = one query; a plain
 * channel loop, see there why not MINA) and a MINA TCP acceptor (2-byte length-prefixed messages,
 * RFC 1035 section 4.2.2). A query that cannot be
 * answered is dropped or answered FORMERR by {@link DnsResponder}; nothing here can throw into
 * the replica.
 */
final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int TCP_IDLE_SECONDS = 10;

    private final UdpDnsLoop udp;
    private final NioSocketAcceptor tcp = new NioSocketAcceptor(1);
    private final Supplier<ZoneView> view;
    private final InetSocketAddress address;
    private final QueryCounts counts = new QueryCounts();

    DnsServer(InetSocketAddress bind, Supplier<ZoneView> view) throws IOException {
        this.view = view;
        tcp.setReuseAddress(true);
        tcp.getFilterChain().addLast("dns", new ProtocolCodecFilter(new TcpDnsCodec()));
        tcp.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, TCP_IDLE_SECONDS);
        tcp.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                byte[] answer = answer((byte[]) message, 65535, session.getRemoteAddress());
                if (answer != null) {
                    session.write(answer);
                } else {
                    session.closeNow();
                }
            }

            @Override
            public void sessionIdle(IoSession session, IdleStatus status) {
                session.closeNow();
            }

            @Override
            public void exceptionCaught(IoSession session, Throwable cause) {
                LOG.debug("dns tcp closing remote={} cause={}", session.getRemoteAddress(), cause.toString());
                session.closeNow();
            }
        });
        tcp.bind(bind);
        InetSocketAddress bound = tcp.getLocalAddress();
        try {
            udp = new UdpDnsLoop(bound, (query, remote) -> answer(query, DnsResponder.UDP_LIMIT, remote));
        } catch (IOException e) {
            tcp.dispose();
            throw e;
        }
        this.address = bound;
    }

    private byte[] answer(byte[] query, int maxLen, SocketAddress remote) {
        byte[] answer;
        try {
            answer = DnsResponder.respond(query, view.get(), maxLen);
        } catch (RuntimeException e) {
            LOG.warn("dns query not answered remote={} cause={}", remote, e.toString());
            answer = null;
        }
        counts.answered(answer);
        return answer;
    }

    /** The queries answered so far, by type and answer code. */
    QueryCounts counts() {
        return counts;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        udp.close();
        tcp.unbind();
        tcp.dispose(true);
    }
}
