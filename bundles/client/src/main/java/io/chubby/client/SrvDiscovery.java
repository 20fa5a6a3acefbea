package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds a cell's replicas through DNS, as the DNS bridge publishes them: the SRV records
 * {@code _chubby._tcp.<cell>.<domain>.} asked of one given DNS server, ordered by priority (the
 * master has the lowest) then weight, each target resolved through the glue address records of
 * the answer or, failing that, an A query to the same server. A hand-rolled exchange (one UDP
 * query, retried on timeout, TCP when the answer comes back truncated) with dnsjava only for the
 * wire format: no resolver threads, no system resolver configuration. Stateless; every call is
 * independent and may run on any thread.
 *
 * <p>Package-private beside {@link ClientOptions}, which resolves {@code dns:} cell specs through
 * it when options are built: the public options reach no internal class, and no dnsjava type
 * appears in a public signature.
 */
final class SrvDiscovery {
    /** Prefix of a cell spec resolved through DNS: {@code dns:<cell>.<domain>@host:port}. */
    static final String SCHEME = "dns:";
    /**
     * Prefix of a spec naming the cell's proxies through DNS: {@code dns-proxy:<cell>.<domain>@host:port},
     * the SRV records {@code _chubby-proxy._tcp.<cell>.<domain>.} (the proxies registered with the cell).
     */
    static final String PROXY_SCHEME = "dns-proxy:";
    private static final String REPLICAS = "_chubby._tcp.";
    private static final String PROXIES = "_chubby-proxy._tcp.";
    private static final int ATTEMPTS = 3;
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(1500);

    private SrvDiscovery() {
    }

    /**
     * Resolves {@code dns:<cell>.<domain>@host:port} to the replicas' client addresses
     * ({@code host:port}), master first.
     *
     * @throws ChubbyException INVALID_ARGUMENT for a malformed spec, CELL_UNAVAILABLE when the DNS
     *                         server does not answer or knows no replica
     */
    static List<String> resolve(String spec) {
        String s = spec.trim();
        boolean proxies = s.startsWith(PROXY_SCHEME);
        if (!s.startsWith(SCHEME) && !proxies) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "not a dns: or dns-proxy: cell spec: '" + spec + "'");
        }
        String rest = s.substring(proxies ? PROXY_SCHEME.length() : SCHEME.length());
        int at = rest.lastIndexOf('@');
        int colon = rest.lastIndexOf(':');
        if (at <= 0 || colon < at) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad dns cell spec '" + spec
                    + "' (expected " + (proxies ? PROXY_SCHEME : SCHEME)
                    + "<cell>.<domain>@host:port, e.g. dns:local.chubby@127.0.0.1:7051)");
        }
        String zone = rest.substring(0, at);
        String host = rest.substring(at + 1, colon);
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad DNS server address in '" + spec + "'");
        }
        InetSocketAddress server = new InetSocketAddress(host, port);
        return proxies ? resolveProxies(zone, server) : resolve(zone, server);
    }

    /** The replicas of zone {@code <cell>.<domain>} as published by the DNS server {@code server}. */
    static List<String> resolve(String zone, InetSocketAddress server) {
        return resolve(zone, server, REPLICAS, false);
    }

    /**
     * The proxies registered with the cell of zone {@code <cell>.<domain>}, in random order within a
     * priority (they all have the same: each client starting at a different one spreads the clients).
     */
    static List<String> resolveProxies(String zone, InetSocketAddress server) {
        return resolve(zone, server, PROXIES, true);
    }

    private static List<String> resolve(String zone, InetSocketAddress server, String service, boolean shuffle) {
        Name srvName;
        try {
            srvName = Name.fromString(service + (zone.endsWith(".") ? zone : zone + "."));
        } catch (TextParseException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad DNS zone '" + zone + "': " + e.getMessage());
        }
        Message answer = query(server, srvName, Type.SRV);
        List<SRVRecord> srvs = new ArrayList<>();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof SRVRecord srv) {
                srvs.add(srv);
            }
        }
        if (srvs.isEmpty()) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "DNS server " + shown(server) + " lists no "
                    + (shuffle ? "proxy" : "replica") + " under " + srvName + " (rcode " + Rcode.string(answer.getRcode())
                    + ")");
        }
        if (shuffle) {
            java.util.Collections.shuffle(srvs); // the sort below is stable: equal records stay shuffled
        }
        srvs.sort(Comparator.comparingInt(SRVRecord::getPriority).thenComparing(r -> -r.getWeight()));
        Map<Name, InetAddress> glue = new HashMap<>();
        for (Record r : answer.getSection(Section.ADDITIONAL)) {
            if (r instanceof ARecord a) {
                glue.putIfAbsent(a.getName(), a.getAddress());
            } else if (r instanceof AAAARecord a) {
                glue.putIfAbsent(a.getName(), a.getAddress());
            }
        }
        List<String> out = new ArrayList<>();
        for (SRVRecord srv : srvs) {
            InetAddress addr = glue.get(srv.getTarget());
            if (addr == null) {
                addr = lookupAddress(server, srv.getTarget());
            }
            String a = addr.getHostAddress();
            out.add((a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + srv.getPort());
        }
        return List.copyOf(out);
    }

    private static InetAddress lookupAddress(InetSocketAddress server, Name target) {
        Message m = query(server, target, Type.A);
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                return a.getAddress();
            }
        }
        throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "DNS server " + shown(server) + " has no address for " + target);
    }

    /** One question, answered over UDP (retried), or over TCP when the UDP answer is truncated. */
    static Message query(InetSocketAddress server, Name name, int type) {
        Message q = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        byte[] wire = q.toWire();
        int id = q.getHeader().getID();
        IOException last = null;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) ATTEMPT_TIMEOUT.toMillis());
            socket.connect(server);
            byte[] buf = new byte[65535];
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                socket.send(new DatagramPacket(wire, wire.length));
                long deadline = System.nanoTime() + ATTEMPT_TIMEOUT.toNanos();
                while (System.nanoTime() < deadline) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    Message m = parse(buf, p.getLength());
                    if (m == null || m.getHeader().getID() != id) {
                        continue; // a stray or late datagram: keep waiting for ours
                    }
                    return m.getHeader().getFlag(Flags.TC) ? queryTcp(server, wire, id) : m;
                }
            }
        } catch (IOException e) {
            last = e;
        }
        throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "DNS server " + shown(server) + " did not answer "
                + name + " " + Type.string(type) + (last == null ? " (no answer to " + ATTEMPTS + " tries of "
                + ATTEMPT_TIMEOUT.toMillis() + " ms)" : ": " + why(last)));
    }

    /** host:port, as the user wrote it (InetSocketAddress.toString() adds a '/'). */
    private static String shown(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** An I/O failure in words; the JDK leaves some without a message. */
    private static String why(IOException e) {
        if (e instanceof java.net.PortUnreachableException) {
            return "nothing listens on that port (port unreachable)";
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() + " (no detail given)"
                : e.getMessage();
    }

    private static Message queryTcp(InetSocketAddress server, byte[] wire, int id) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, (int) ATTEMPT_TIMEOUT.toMillis());
            s.setSoTimeout((int) ATTEMPT_TIMEOUT.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] buf = new byte[in.readUnsignedShort()];
            in.readFully(buf);
            Message m = parse(buf, buf.length);
            if (m == null || m.getHeader().getID() != id) {
                throw new IOException("bad TCP answer from " + shown(server));
            }
            return m;
        }
    }

    private static Message parse(byte[] buf, int len) {
        try {
            byte[] copy = new byte[len];
            System.arraycopy(buf, 0, copy, 0, len);
            return new Message(copy);
        } catch (IOException e) {
            return null;
        }
    }
}
