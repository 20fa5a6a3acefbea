package io.chubby.dns.internal;

import io.chubby.spi.Member;
import io.chubby.spi.PartitionView;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The names of a partitioned cell's zone (docs/PARTITIONING.md section 3), answered from the
 * replica's {@link PartitionView}; the zone's other names keep describing partition 0:
 * <ul>
 *   <li>{@code partitions.<zone>} TXT {@code "n=4" "hash=fnv1a64-v1" "slots=4096"};</li>
 *   <li>for each partition k below N: {@code _chubby._tcp.p<k>.<zone>} SRV (every replica, priority 0
 *       for k's master, 10 for the others, glue in the additional section), {@code master.p<k>.<zone>}
 *       A/AAAA and {@code epoch.p<k>.<zone>} TXT (no answer while k's master is unknown here, e.g.
 *       before this replica opened the group).</li>
 * </ul>
 * Pure, as {@link DnsResponder}.
 */
final class PartitionNames {
    private PartitionNames() {
    }

    /** Whether {@code qname} is a partition name of the zone (with a view; any partition number). */
    static boolean names(Name qname, Name zone, ZoneView view) throws TextParseException {
        if (view.partitions() == null) {
            return false;
        }
        return qname.equals(DnsResponder.name("partitions", zone)) || partitionOf(qname, zone) >= 0;
    }

    /** Answers a partition name; false (NXDOMAIN) for a partition the cell does not have. */
    static boolean answer(Name qname, int qtype, Name zone, ZoneView view, List<Record> answers,
                          List<Record> additional) throws TextParseException {
        PartitionView pv = view.partitions();
        long ttl = view.ttl();
        if (qname.equals(DnsResponder.name("partitions", zone))) {
            if (qtype == Type.TXT || qtype == Type.ANY) {
                answers.add(new TXTRecord(qname, DClass.IN, ttl, List.of("n=" + pv.partitions(),
                        "hash=" + pv.hashName(), "slots=" + pv.slots())));
            }
            return true;
        }
        int k = partitionOf(qname, zone);
        if (k >= pv.partitions()) {
            return false;
        }
        Name sub = DnsResponder.name("p" + k, zone);
        PartitionView.GroupMaster gm = pv.groups().stream().filter(g -> g.group() == k).findFirst()
                .orElse(new PartitionView.GroupMaster(k, 0, 0));
        Member master = view.member(gm.masterId());
        String first = qname.getLabelString(0);
        if (qname.equals(DnsResponder.name("_chubby._tcp", sub))) {
            if (qtype == Type.SRV || qtype == Type.ANY) {
                for (Member m : view.members()) {
                    Name target = DnsResponder.name("r" + m.id(), zone);
                    answers.add(new SRVRecord(qname, DClass.IN, ttl, m.id() == gm.masterId() ? 0 : 10, 0,
                            m.clientPort(), target));
                    DnsResponder.addressRecords(target, m, Type.ANY, ttl, additional);
                }
            }
            return true;
        }
        if (qname.labels() != sub.labels() + 1) {
            return false;
        }
        if (first.equals("master")) {
            if (master != null) {
                DnsResponder.addressRecords(qname, master, qtype, ttl, answers);
            }
            return true;
        }
        if (first.equals("epoch")) {
            if (gm.masterId() != 0 && (qtype == Type.TXT || qtype == Type.ANY)) {
                answers.add(new TXTRecord(qname, DClass.IN, ttl, Long.toString(gm.epoch())));
            }
            return true;
        }
        return false;
    }

    /**
     * The k of a name {@code <label>.p<k>.<zone>} or {@code _chubby._tcp.p<k>.<zone>}, else -1 (k
     * written in decimal without leading zeros).
     */
    private static int partitionOf(Name qname, Name zone) {
        if (!qname.subdomain(zone)) {
            return -1;
        }
        int depth = qname.labels() - zone.labels(); // labels below the zone
        if (depth != 2 && depth != 3) {
            return -1;
        }
        String label = qname.getLabelString(depth - 1);
        if (label.length() < 2 || label.charAt(0) != 'p' || (label.length() > 2 && label.charAt(1) == '0')) {
            return -1;
        }
        for (int i = 1; i < label.length(); i++) {
            if (!Character.isDigit(label.charAt(i))) {
                return -1;
            }
        }
        if (label.length() > 6) {
            return -1; // more partitions than slots: not a partition name
        }
        return Integer.parseInt(label.substring(1));
    }
}
