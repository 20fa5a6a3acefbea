package io.chubby.dns.internal;

import static io.chubby.dns.internal.DnsResponderTest.MEMBERS;
import static io.chubby.dns.internal.DnsResponderTest.ask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.PartitionView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The partition names of a partitioned cell's zone (docs/PARTITIONING.md section 3). */
class PartitionNamesTest {
    /** Four partitions: 0 and 3 mastered by replica 2, 1 by replica 3; 2 not open on this replica yet. */
    static final PartitionView FOUR = view(4, List.of(new PartitionView.GroupMaster(0, 2, 513),
            new PartitionView.GroupMaster(1, 3, 7), new PartitionView.GroupMaster(3, 2, 9)));
    static final ZoneView ZONE = new ZoneView("local", "chubby.", 2, 513, MEMBERS, 1, List::of, FOUR);

    static PartitionView view(int n, List<PartitionView.GroupMaster> groups) {
        return new PartitionView() {
            @Override
            public int partitions() {
                return n;
            }

            @Override
            public String hashName() {
                return "fnv1a64-v1";
            }

            @Override
            public int slots() {
                return 4096;
            }

            @Override
            public List<GroupMaster> groups() {
                return groups;
            }
        };
    }

    @Test
    void partitionsTxtNamesNHashAndSlots() throws Exception {
        Message r = ask("partitions.local.chubby.", Type.TXT, ZONE);
        assertEquals(Rcode.NOERROR, r.getRcode());
        TXTRecord t = (TXTRecord) r.getSection(Section.ANSWER).get(0);
        assertEquals(List.of("n=4", "hash=fnv1a64-v1", "slots=4096"), t.getStrings());
    }

    @Test
    void eachPartitionHasItsMasterSrvAndEpoch() throws Exception {
        Message a = ask("master.p1.local.chubby.", Type.A, ZONE);
        assertEquals("127.0.0.3", ((ARecord) a.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        Message e = ask("epoch.p1.local.chubby.", Type.TXT, ZONE);
        assertEquals(List.of("7"), ((TXTRecord) e.getSection(Section.ANSWER).get(0)).getStrings());
        Message srv = ask("_chubby._tcp.p1.local.chubby.", Type.SRV, ZONE);
        List<Record> ans = srv.getSection(Section.ANSWER);
        assertEquals(3, ans.size());
        for (Record rec : ans) {
            SRVRecord s = (SRVRecord) rec;
            assertEquals(s.getPort() == 7003 ? 0 : 10, s.getPriority(), "replica 3 masters partition 1");
        }
        assertEquals(3, srv.getSection(Section.ADDITIONAL).size(), "glue for the r<id> targets");
        assertEquals("127.0.0.2",
                ((ARecord) ask("master.p3.local.chubby.", Type.A, ZONE).getSection(Section.ANSWER).get(0))
                        .getAddress().getHostAddress());
    }

    @Test
    void aPartitionWithoutAKnownMasterHasNamesButNoAnswer() throws Exception {
        for (String name : List.of("master.p2.local.chubby.", "epoch.p2.local.chubby.")) {
            Message r = ask(name, Type.ANY, ZONE);
            assertEquals(Rcode.NOERROR, r.getRcode(), name);
            assertTrue(r.getSection(Section.ANSWER).isEmpty(), name);
            assertEquals(1, r.getSection(Section.AUTHORITY).size(), "the SOA of a negative answer");
        }
        List<Record> srv = ask("_chubby._tcp.p2.local.chubby.", Type.SRV, ZONE).getSection(Section.ANSWER);
        assertEquals(3, srv.size(), "every replica, none first");
        srv.forEach(rec -> assertEquals(10, ((SRVRecord) rec).getPriority()));
    }

    @Test
    void partitionsTheCellDoesNotHaveAndOtherNamesAreNxdomain() throws Exception {
        for (String name : List.of("master.p4.local.chubby.", "master.p04.local.chubby.", "x.p1.local.chubby.",
                "a.b.p1.local.chubby.", "p1.local.chubby.", "master.p1234567.local.chubby.")) {
            assertEquals(Rcode.NXDOMAIN, ask(name, Type.A, ZONE).getRcode(), name);
        }
    }

    @Test
    void withoutAPartitionViewTheZoneIsAsBefore() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("partitions.local.chubby.", Type.TXT, DnsResponderTest.VIEW).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("master.p0.local.chubby.", Type.A, DnsResponderTest.VIEW).getRcode());
        // the zone's own names keep describing partition 0
        assertEquals("127.0.0.2",
                ((ARecord) ask("master.local.chubby.", Type.A, ZONE).getSection(Section.ANSWER).get(0))
                        .getAddress().getHostAddress());
    }
}
