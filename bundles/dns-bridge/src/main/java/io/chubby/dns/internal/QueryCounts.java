package io.chubby.dns.internal;

import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.MetricSource.Sample;
import io.chubby.spi.MetricSource.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;

/**
 * The queries this bridge answered, by question type and answer code, read from the answer's own
 * header and question (so what is counted is what was sent); a query dropped unanswered (a
 * response, not a query, or a failure) counts as type {@code none}, code {@code DROPPED}.
 * Thread-safe (the UDP loop and the TCP acceptor count at once).
 */
final class QueryCounts {
    private record Key(String type, String rcode) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = type.compareTo(o.type);
            return c != 0 ? c : rcode.compareTo(o.rcode);
        }
    }

    private final Map<Key, LongAdder> counts = new ConcurrentSkipListMap<>();

    /** Counts one answer (null: the query was dropped). */
    void answered(byte[] answer) {
        Key k = answer == null ? new Key("none", "DROPPED") : new Key(questionType(answer), Rcode.string(answer[3] & 0x0f));
        counts.computeIfAbsent(k, x -> new LongAdder()).increment();
    }

    List<Metric> metrics() {
        List<Sample> samples = new ArrayList<>();
        counts.forEach((k, n) -> samples.add(Sample.of(n.sum(), "type", k.type(), "rcode", k.rcode())));
        return List.of(new Metric("chubby_dns_queries", "DNS queries answered, by question type and answer code",
                Type.COUNTER, samples));
    }

    /** The type of the message's first question ({@code none} when it has none or is cut short). */
    static String questionType(byte[] m) {
        if (m.length < 12 || (((m[4] & 0xff) << 8) | (m[5] & 0xff)) == 0) {
            return "none";
        }
        int i = 12;
        while (i < m.length && m[i] != 0) {
            if ((m[i] & 0xc0) != 0) { // a compression pointer ends the name
                i += 1;
                break;
            }
            i += (m[i] & 0xff) + 1;
        }
        i += 1;
        if (i + 1 >= m.length) {
            return "none";
        }
        return org.xbill.DNS.Type.string(((m[i] & 0xff) << 8) | (m[i + 1] & 0xff));
    }
}
