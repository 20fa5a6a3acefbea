package io.chubby.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.ConsensusStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard shipped beside the bundle ({@code grafana/chubby-cell.json}) is well-formed
 * JSON and charts only series a replica's scrape really has: a renamed series would leave a panel
 * silently empty. The replica's own series come from a scrape; the other bundles' (their
 * {@code MetricSource}s: bdb-store, consensus-paxos, transport-mina, the optional bundles) from the
 * {@code "chubby_..."} names their sources declare, with the suffixes the text format adds.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("grafana", "chubby-cell.json");
    private static final Pattern SERIES = Pattern.compile("\\b(?:chubby|jvm)_[a-z_]+");

    @Test
    void everyQueriedSeriesIsScraped() throws Exception {
        String json = Files.readString(DASHBOARD, StandardCharsets.UTF_8);
        new JsonSyntax(json).document();
        Set<String> scraped = scrapedNames();
        scraped.addAll(declaredBySources());
        Set<String> queried = new TreeSet<>();
        Matcher expr = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        int panels = 0;
        while (expr.find()) {
            panels++;
            Matcher m = SERIES.matcher(expr.group(1));
            while (m.find()) {
                queried.add(m.group());
            }
        }
        assertTrue(panels >= 30, "queries: " + panels);
        queried.removeAll(scraped);
        assertEquals(Set.of(), queried, "queried but not scraped (scraped: " + scraped + ")");
    }

    /** The sample names of a scrape with every catalogued cell number and the JVM metrics. */
    private static Set<String> scrapedNames() {
        Map<String, Number> cell = new HashMap<>();
        for (Series s : CellSeries.CATALOG) {
            cell.put(s.key(), 1L);
        }
        ConsensusStatus status = new ConsensusStatus(1, "master", 1, 3, 10, 10, 0, 1, true);
        String text = new Scraper(() -> status, () -> cell, List::of, true).scrape().bodyText();
        Set<String> names = new TreeSet<>();
        for (String line : text.lines().toList()) {
            if (!line.startsWith("#") && !line.isBlank()) {
                Matcher m = SERIES.matcher(line);
                if (m.lookingAt()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    /**
     * The series names other bundles' main sources declare as string literals, each with the
     * suffixes a counter ({@code _total}) or a histogram ({@code _bucket}, {@code _count},
     * {@code _sum}) gets in the text format.
     */
    private static Set<String> declaredBySources() throws java.io.IOException {
        Pattern literal = Pattern.compile("\"(chubby_[a-z_]+)\"");
        Set<String> out = new TreeSet<>();
        try (var files = Files.walk(Path.of(".."))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("src/main/java")
                    && !p.startsWith(Path.of("..", "metrics"))).toList()) {
                Matcher m = literal.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    for (String suffix : List.of("", "_total", "_bucket", "_count", "_sum")) {
                        out.add(m.group(1) + suffix);
                    }
                }
            }
        }
        assertTrue(out.contains("chubby_log_fsync_seconds_bucket"), "bdb-store's sources are read: " + out.size());
        return out;
    }

    /** Just enough of a JSON parser to reject what is not JSON (RFC 8259 grammar, no values kept). */
    private static final class JsonSyntax {
        private final String s;
        private int i;

        JsonSyntax(String s) {
            this.s = s;
        }

        void document() {
            value();
            space();
            assertEquals(s.length(), i, "trailing text at " + i);
        }

        private void value() {
            space();
            char c = peek();
            switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> number();
            }
        }

        private void object() {
            expect('{');
            space();
            if (peek() == '}') {
                i++;
                return;
            }
            do {
                space();
                string();
                space();
                expect(':');
                value();
                space();
            } while (next() == ',');
            assertEquals('}', s.charAt(i - 1), "object not closed at " + i);
        }

        private void array() {
            expect('[');
            space();
            if (peek() == ']') {
                i++;
                return;
            }
            do {
                value();
                space();
            } while (next() == ',');
            assertEquals(']', s.charAt(i - 1), "array not closed at " + i);
        }

        private void string() {
            expect('"');
            while (true) {
                char c = next();
                if (c == '\\') {
                    next();
                } else if (c == '"') {
                    return;
                }
            }
        }

        private void literal(String word) {
            assertTrue(s.startsWith(word, i), "bad literal at " + i);
            i += word.length();
        }

        private void number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            assertTrue(i > start, "unexpected '" + (start < s.length() ? s.charAt(start) : '$') + "' at " + start);
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            assertTrue(i < s.length(), "unexpected end");
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            assertEquals(c, next(), "at " + (i - 1));
        }
    }
}
