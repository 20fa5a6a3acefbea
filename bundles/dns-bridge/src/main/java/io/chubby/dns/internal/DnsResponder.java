package io.chubby.dns.internal;

import io.chubby.spi.Member;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Answers one DNS query for the zone {@code <cell>.<domain>}. Pure: no I/O, no clock; safe to call
 * from any thread.
 *
 * <ul>
 *   <li>{@code master.<zone>} A/AAAA: the master's address;</li>
 *   <li>{@code _chubby._tcp.<zone>} SRV: every replica, the master first (priority 0, others 10);</li>
 *   <li>{@code _chubby-master._tcp.<zone>} SRV: the master's host and client port;</li>
 *   <li>{@code epoch.<zone>} TXT: the current epoch;</li>
 *   <li>{@code r<id>.<zone>} A/AAAA: each replica (targets of the SRV records);</li>
 *   <li>{@code _chubby-proxy._tcp.<zone>} SRV: every proxy registered under {@code /ls/<cell>/proxies},
 *       priority 0 weight 10 each; target {@code proxy-<ip>-<port>.<zone>} (A/AAAA glue) for an
 *       IP-literal proxy, its own host name otherwise;</li>
 *   <li>{@code proxy-<ip>-<port>.<zone>} A/AAAA: each IP-literal proxy;</li>
 *   <li>with a partition view: {@code partitions.<zone>} TXT and, per partition k, the same master
 *       names under {@code p<k>.<zone>} ({@link PartitionNames}).</li>
 * </ul>
 * Unknown names in the zone get NXDOMAIN, names outside it REFUSED, unparseable packets FORMERR
 * when a header can be read and nothing otherwise.
 */
final class DnsResponder {
    /** Largest UDP answer without EDNS. */
    static final int UDP_LIMIT = 512;

    private DnsResponder() {
    }

    /**
     * @param query  the query packet
     * @param maxLen the largest answer the transport carries (512 or the EDNS size for UDP, 65535 for TCP)
     * @return the answer packet, or null to drop the query
     */
    static byte[] respond(byte[] query, ZoneView view, int maxLen) {
        Message q;
        try {
            q = new Message(query);
        } catch (IOException malformed) {
            return formErr(query);
        }
        if (q.getHeader().getFlag(Flags.QR)) {
            return null; // a response, not a query: never answer (avoids loops)
        }
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        Record question = q.getQuestion();
        if (q.getHeader().getOpcode() != Opcode.QUERY || question == null) {
            r.getHeader().setRcode(question == null ? Rcode.FORMERR : Rcode.NOTIMP);
            return r.toWire(maxLen);
        }
        r.addRecord(question, Section.QUESTION);
        int limit = maxLen;
        if (q.getOPT() != null && maxLen == UDP_LIMIT) {
            limit = Math.max(UDP_LIMIT, Math.min(4096, q.getOPT().getPayloadSize()));
        }
        try {
            answer(question, view, r);
        } catch (TextParseException e) {
            r.getHeader().setRcode(Rcode.SERVFAIL);
        }
        return r.toWire(limit);
    }

    private static void answer(Record question, ZoneView view, Message r) throws TextParseException {
        Name zone = zone(view);
        Name qname = question.getName();
        int qtype = question.getType();
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
            r.getHeader().setRcode(Rcode.REFUSED);
            return;
        }
        if (!qname.subdomain(zone)) {
            r.getHeader().setRcode(Rcode.REFUSED);
            return;
        }
        r.getHeader().setFlag(Flags.AA);
        List<Record> answers = new ArrayList<>();
        List<Record> additional = new ArrayList<>();
        boolean exists = true;
        Member master = view.master();
        long ttl = view.ttl();
        if (qname.equals(zone)) {
            if (qtype == Type.SOA || qtype == Type.ANY) {
                answers.add(soa(zone, view));
            }
        } else if (qname.equals(name("master", zone))) {
            if (master != null) {
                addressRecords(qname, master, qtype, ttl, answers);
            }
        } else if (qname.equals(name("_chubby._tcp", zone))) {
            if (qtype == Type.SRV || qtype == Type.ANY) {
                for (Member m : view.members()) {
                    Name target = name("r" + m.id(), zone);
                    answers.add(new SRVRecord(qname, DClass.IN, ttl, m.id() == view.masterId() ? 0 : 10, 0,
                            m.clientPort(), target));
                    addressRecords(target, m, Type.ANY, ttl, additional);
                }
            }
        } else if (qname.equals(name("_chubby-master._tcp", zone))) {
            if (master != null && (qtype == Type.SRV || qtype == Type.ANY)) {
                Name target = name("r" + master.id(), zone);
                answers.add(new SRVRecord(qname, DClass.IN, ttl, 0, 0, master.clientPort(), target));
                addressRecords(target, master, Type.ANY, ttl, additional);
            }
        } else if (qname.equals(name("_chubby-proxy._tcp", zone))) {
            if (qtype == Type.SRV || qtype == Type.ANY) {
                for (ProxyTarget p : view.proxies().get()) {
                    InetAddress addr = literal(p.host());
                    Name target = addr != null ? name(p.label(), zone) : hostName(p.host());
                    if (target == null) {
                        continue; // not a usable DNS name (e.g. a label over 63 bytes): not published
                    }
                    answers.add(new SRVRecord(qname, DClass.IN, ttl, 0, 10, p.port(), target));
                    if (addr != null) {
                        addressRecords(target, addr, Type.ANY, ttl, additional);
                    }
                }
            }
        } else if (PartitionNames.names(qname, zone, view)) {
            exists = PartitionNames.answer(qname, qtype, zone, view, answers, additional);
        } else if (qname.equals(name("epoch", zone))) {
            if (qtype == Type.TXT || qtype == Type.ANY) {
                answers.add(new TXTRecord(qname, DClass.IN, ttl, Long.toString(view.epoch())));
            }
        } else {
            Member replica = replicaNamed(qname, zone, view);
            InetAddress proxy = replica == null ? proxyNamed(qname, zone, view) : null;
            if (replica != null) {
                addressRecords(qname, replica, qtype, ttl, answers);
            } else if (proxy != null) {
                addressRecords(qname, proxy, qtype, ttl, answers);
            } else {
                exists = false;
            }
        }
        for (Record a : answers) {
            r.addRecord(a, Section.ANSWER);
        }
        for (Record a : additional) {
            r.addRecord(a, Section.ADDITIONAL);
        }
        if (!exists) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (answers.isEmpty()) {
            r.addRecord(soa(zone, view), Section.AUTHORITY); // negative answers carry the SOA (RFC 2308)
        }
    }

    private static Member replicaNamed(Name qname, Name zone, ZoneView view) throws TextParseException {
        for (Member m : view.members()) {
            if (qname.equals(name("r" + m.id(), zone))) {
                return m;
            }
        }
        return null;
    }

    private static Name hostName(String host) {
        try {
            return Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return null;
        }
    }

    /** The address of the IP-literal proxy whose target name is {@code qname}, or null. */
    private static InetAddress proxyNamed(Name qname, Name zone, ZoneView view) throws TextParseException {
        if (!qname.getLabelString(0).startsWith("proxy-")) {
            return null; // not a proxy target: spare the namespace read
        }
        for (ProxyTarget p : view.proxies().get()) {
            InetAddress addr = literal(p.host());
            if (addr != null && qname.equals(name(p.label(), zone))) {
                return addr;
            }
        }
        return null;
    }

    static void addressRecords(Name owner, Member m, int qtype, long ttl, List<Record> out) {
        InetAddress addr = literal(m.host());
        if (addr != null) {
            addressRecords(owner, addr, qtype, ttl, out);
        }
    }

    private static void addressRecords(Name owner, InetAddress addr, int qtype, long ttl, List<Record> out) {
        boolean v6 = addr.getAddress().length == 16;
        if (!v6 && (qtype == Type.A || qtype == Type.ANY)) {
            out.add(new ARecord(owner, DClass.IN, ttl, addr));
        } else if (v6 && (qtype == Type.AAAA || qtype == Type.ANY)) {
            out.add(new AAAARecord(owner, DClass.IN, ttl, addr));
        }
    }

    /** Only IP literals: a host name would need a DNS lookup of its own. */
    private static InetAddress literal(String host) {
        boolean looksLiteral = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (!looksLiteral) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    static Name zone(ZoneView view) throws TextParseException {
        String d = view.domain().endsWith(".") ? view.domain() : view.domain() + ".";
        return Name.fromString(view.cell() + "." + d);
    }

    static Name name(String label, Name zone) throws TextParseException {
        return Name.fromString(label, zone);
    }

    private static SOARecord soa(Name zone, ZoneView view) throws TextParseException {
        return new SOARecord(zone, DClass.IN, view.ttl(), name("master", zone), name("hostmaster", zone),
                Math.max(1, view.epoch() & 0xffffffffL), 60, 10, 3600, view.ttl());
    }

    private static byte[] formErr(byte[] query) {
        if (query.length < Header.LENGTH) {
            return null;
        }
        int id = ((query[0] & 0xff) << 8) | (query[1] & 0xff);
        Message r = new Message(id);
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setRcode(Rcode.FORMERR);
        return r.toWire();
    }
}
