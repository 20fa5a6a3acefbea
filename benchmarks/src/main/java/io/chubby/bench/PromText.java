package io.chubby.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition format (version 0.0.4) as etcd serves it at {@code /metrics}: one
 * sample per line, {@code name{label="value",...} number [timestamp]}; {@code #} lines are
 * comments. Only what the benchmarks need: samples with their labels, summed by name and labels.
 */
final class PromText {
    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Sample> samples;

    private PromText(List<Sample> samples) {
        this.samples = samples;
    }

    /** Parses a whole exposition; a line that is not a sample fails with the line in the message. */
    static PromText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            out.add(sample(line));
        }
        return new PromText(out);
    }

    /** GETs {@code url} (e.g. {@code http://127.0.0.1:2379/metrics}) and parses it. */
    static PromText fetch(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered HTTP " + r.statusCode());
        }
        return parse(r.body());
    }

    List<Sample> samples() {
        return samples;
    }

    /**
     * Sum of the samples named {@code name} whose labels include every entry of {@code labels}
     * (other labels may have any value); 0 when none matches.
     */
    double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
                total += s.value();
            }
        }
        return total;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        String rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            int end = labels(line, brace + 1, labels);
            rest = line.substring(end + 1);
        } else if (space > 0) {
            name = line.substring(0, space);
            rest = line.substring(space);
        } else {
            throw new IllegalArgumentException("not a sample: " + line);
        }
        String[] parts = rest.strip().split("\\s+");
        if (name.isEmpty() || parts[0].isEmpty()) {
            throw new IllegalArgumentException("not a sample: " + line);
        }
        return new Sample(name, labels, number(parts[0], line));
    }

    /** Reads {@code k="v",...} from {@code from} into {@code into}; returns the index of the closing brace. */
    private static int labels(String line, int from, Map<String, String> into) {
        int i = from;
        while (true) {
            while (i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
                i++;
            }
            if (i >= line.length()) {
                throw new IllegalArgumentException("unterminated labels: " + line);
            }
            if (line.charAt(i) == '}') {
                return i;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("bad label at " + i + ": " + line);
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\' && j + 1 < line.length()) {
                    char n = line.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(c);
                }
            }
            if (j >= line.length()) {
                throw new IllegalArgumentException("unterminated label value: " + line);
            }
            into.put(line.substring(i, eq).strip(), value.toString());
            i = j + 1;
        }
    }

    private static double number(String s, String line) {
        switch (s) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad value '" + s + "': " + line, e);
                }
        }
    }
}
