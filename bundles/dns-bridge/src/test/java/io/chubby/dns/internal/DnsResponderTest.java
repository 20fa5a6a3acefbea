package io.chubby.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Member;
import io.chubby.testkit.FakeNamespace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsResponderTest {
    static final List<Member> MEMBERS = Member.parseList("1@127.0.0.1:7001:7101,2@127.0.0.2:7002:7102,3@127.0.0.3:7003:7103");
    static final ZoneView VIEW = new ZoneView("local", "chubby.", 2, 513, MEMBERS, 1);

    static Message ask(String name, int type, ZoneView view) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        byte[] a = DnsResponder.respond(q.toWire(), view, DnsResponder.UDP_LIMIT);
        assertNotNull(a);
        Message r = new Message(a);
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
        assertTrue(r.getHeader().getFlag(Flags.QR));
        return r;
    }

    @Test
    void masterARecordNamesTheMaster() throws Exception {
        Message r = ask("master.local.chubby.", Type.A, VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(r.getHeader().getFlag(Flags.AA));
        List<Record> ans = r.getSection(Section.ANSWER);
        assertEquals(1, ans.size());
        assertEquals("127.0.0.2", ((ARecord) ans.get(0)).getAddress().getHostAddress());
        assertEquals(1, ans.get(0).getTTL());
    }

    @Test
    void srvListsEveryReplicaMasterFirst() throws Exception {
        Message r = ask("_chubby._tcp.local.chubby.", Type.SRV, VIEW);
        List<Record> ans = r.getSection(Section.ANSWER);
        assertEquals(3, ans.size());
        for (Record rec : ans) {
            SRVRecord s = (SRVRecord) rec;
            boolean isMaster = s.getPort() == 7002;
            assertEquals(isMaster ? 0 : 10, s.getPriority());
        }
        assertEquals(3, r.getSection(Section.ADDITIONAL).size(), "glue A records for the targets");
        SRVRecord m = (SRVRecord) ask("_chubby-master._tcp.local.chubby.", Type.SRV, VIEW).getSection(Section.ANSWER).get(0);
        assertEquals(7002, m.getPort());
        assertEquals("r2.local.chubby.", m.getTarget().toString());
        Message glue = ask("r2.local.chubby.", Type.A, VIEW);
        assertEquals("127.0.0.2", ((ARecord) glue.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    }

    @Test
    void epochTxt() throws Exception {
        TXTRecord t = (TXTRecord) ask("epoch.local.chubby.", Type.TXT, VIEW).getSection(Section.ANSWER).get(0);
        assertEquals(List.of("513"), t.getStrings());
    }

    @Test
    void unknownNamesAreNxdomainAndOtherZonesRefused() throws Exception {
        Message nx = ask("nosuch.local.chubby.", Type.A, VIEW);
        assertEquals(Rcode.NXDOMAIN, nx.getRcode());
        assertEquals(1, nx.getSection(Section.AUTHORITY).size(), "SOA in authority for negative caching");
        assertEquals(Rcode.REFUSED, ask("example.com.", Type.A, VIEW).getRcode());
        assertEquals(Rcode.REFUSED, ask("master.othercell.chubby.", Type.A, VIEW).getRcode());
        // a known name with a type it lacks: NOERROR, no answer
        Message nodata = ask("master.local.chubby.", Type.AAAA, VIEW);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void noMasterKnownMeansNoAddress() throws Exception {
        ZoneView none = new ZoneView("local", "chubby.", 0, 0, MEMBERS, 1);
        Message r = ask("master.local.chubby.", Type.A, none);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(r.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void malformedPacketsGetFormerrOrNothing() {
        assertNull(DnsResponder.respond(new byte[] {1, 2, 3}, VIEW, 512), "too short for a header: dropped");
        byte[] junk = new byte[40];
        junk[0] = 0x12;
        junk[1] = 0x34;
        junk[5] = 5; // claims 5 questions...
        junk[12] = 63; // ...whose first name has a label running past the end of the packet
        byte[] a = DnsResponder.respond(junk, VIEW, 512);
        assertNotNull(a);
        assertEquals(0x12, a[0]);
        assertEquals(0x34, a[1] & 0xff);
        assertEquals(Rcode.FORMERR, a[3] & 0x0f);
    }

    @Test
    void responsesAreNeverAnswered() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("master.local.chubby."), Type.A, DClass.IN));
        q.getHeader().setFlag(Flags.QR);
        assertNull(DnsResponder.respond(q.toWire(), VIEW, 512));
    }

    /** Two registered proxies (one by IP, one by host name), a malformed entry and a stray directory. */
    static FakeNamespace proxies() {
        FakeNamespace ns = new FakeNamespace("local");
        ns.mkdir("/proxies");
        ns.put("/proxies/127.0.0.9_7201", "address=127.0.0.9:7201\npid=12\nstarted=2026-12-04T14:00:00Z\n");
        ns.put("/proxies/proxy-b.example.org_7202", "pid=13\naddress=proxy-b.example.org:7202\n");
        ns.put("/proxies/junk", "address=no-port-here\n");
        ns.mkdir("/proxies/subdir");
        return ns;
    }

    static ZoneView withProxies(FakeNamespace ns) {
        return new ZoneView("local", "chubby.", 2, 513, MEMBERS, 1, () -> ProxyDirectory.read(ns));
    }

    @Test
    void proxySrvListsEveryRegisteredProxyWithGlueForIpLiterals() throws Exception {
        ZoneView view = withProxies(proxies());
        Message r = ask("_chubby-proxy._tcp.local.chubby.", Type.SRV, view);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(r.getHeader().getFlag(Flags.AA));
        List<Record> ans = r.getSection(Section.ANSWER);
        assertEquals(2, ans.size(), ans.toString());
        SRVRecord byIp = (SRVRecord) ans.get(0);
        assertEquals(7201, byIp.getPort());
        assertEquals(0, byIp.getPriority());
        assertEquals(10, byIp.getWeight());
        assertEquals("proxy-127-0-0-9-7201.local.chubby.", byIp.getTarget().toString());
        SRVRecord byName = (SRVRecord) ans.get(1);
        assertEquals(7202, byName.getPort());
        assertEquals("proxy-b.example.org.", byName.getTarget().toString(), "a host name is its own target");
        List<Record> glue = r.getSection(Section.ADDITIONAL);
        assertEquals(1, glue.size(), "glue only for the IP literal");
        assertEquals("proxy-127-0-0-9-7201.local.chubby.", glue.get(0).getName().toString());
        assertEquals("127.0.0.9", ((ARecord) glue.get(0)).getAddress().getHostAddress());

        Message a = ask("proxy-127-0-0-9-7201.local.chubby.", Type.A, view);
        assertEquals("127.0.0.9", ((ARecord) a.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    }

    @Test
    void proxyRecordsFollowTheNamespace() throws Exception {
        FakeNamespace ns = proxies();
        ZoneView view = withProxies(ns);
        ns.delete("/proxies/127.0.0.9_7201");
        assertEquals(1, ask("_chubby-proxy._tcp.local.chubby.", Type.SRV, view).getSection(Section.ANSWER).size());
        assertEquals(Rcode.NXDOMAIN, ask("proxy-127-0-0-9-7201.local.chubby.", Type.A, view).getRcode(),
                "a proxy that went is no name any more");
    }

    @Test
    void noProxiesMeansAnEmptyAnswerNotAnError() throws Exception {
        Message none = ask("_chubby-proxy._tcp.local.chubby.", Type.SRV, VIEW);
        assertEquals(Rcode.NOERROR, none.getRcode());
        assertTrue(none.getSection(Section.ANSWER).isEmpty());
        assertEquals(1, none.getSection(Section.AUTHORITY).size(), "SOA for negative caching");
        FakeNamespace empty = new FakeNamespace("local");
        assertTrue(ask("_chubby-proxy._tcp.local.chubby.", Type.SRV, withProxies(empty)).getSection(Section.ANSWER)
                .isEmpty(), "no /proxies directory");
        assertEquals(Rcode.NXDOMAIN, ask("proxy-127-0-0-1-1.local.chubby.", Type.A, VIEW).getRcode());
    }

    @Test
    void registrationAddressesAreParsedStrictly() {
        assertEquals(new ProxyTarget("10.0.0.5", 7201), ProxyDirectory.parse("pid=1\naddress=10.0.0.5:7201\n"));
        assertEquals(new ProxyTarget("::1", 7201), ProxyDirectory.parse("address=[::1]:7201"));
        assertNull(ProxyDirectory.parse("address=10.0.0.5"));
        assertNull(ProxyDirectory.parse("address=10.0.0.5:0"));
        assertNull(ProxyDirectory.parse("address=10.0.0.5:99999"));
        assertNull(ProxyDirectory.parse("address=bad host:7201"));
        assertNull(ProxyDirectory.parse("no address at all"));
    }
}
