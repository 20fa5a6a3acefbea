package io.chubby.spi;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Series a bundle adds to its replica's metrics for as long as it runs (issue 22): register one as
 * an OSGi service and the metrics bundle reads {@link #metrics()} at every scrape; unregister it (the
 * bundle stops or is uninstalled) and its series are gone from the next scrape. Plain Java only: no
 * type of a metrics library crosses this interface. Since SPI 1.11.
 *
 * <p>Names follow Prometheus: {@code chubby_} and the bundle's word, the unit in the name
 * ({@code _seconds}, {@code _bytes}); a counter's name without {@code _total} (the text format adds
 * it). A series whose name another source already gave is left out of the scrape, not merged.
 */
public interface MetricSource {

    /** The series now; cheap enough for a scrape a second, safe from any thread. */
    List<Metric> metrics();

    /** How a series is read: a counter only grows while the bundle runs; a gauge goes up and down. */
    enum Type { COUNTER, GAUGE, HISTOGRAM }

    /**
     * One series family.
     *
     * @param samples one per label set; a {@link Type#HISTOGRAM}'s samples carry {@link Buckets}
     */
    record Metric(String name, String help, Type type, List<Sample> samples) {
        private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

        public Metric {
            if (!NAME.matcher(name).matches() || name.endsWith("_total")) {
                throw new IllegalArgumentException("not a metric name (or ends in _total): " + name);
            }
            samples = List.copyOf(samples);
            for (Sample s : samples) {
                if ((type == Type.HISTOGRAM) != (s.buckets() != null)) {
                    throw new IllegalArgumentException(name + ": buckets are for histograms, and only them");
                }
            }
        }

        public static Metric gauge(String name, String help, double value) {
            return new Metric(name, help, Type.GAUGE, List.of(Sample.of(value)));
        }

        public static Metric counter(String name, String help, double value) {
            return new Metric(name, help, Type.COUNTER, List.of(Sample.of(value)));
        }
    }

    /**
     * One labelled value of a series.
     *
     * @param labels  label name to value, in order (empty: none)
     * @param value   the number (ignored for a histogram)
     * @param buckets a histogram's buckets, else null
     */
    record Sample(Map<String, String> labels, double value, Buckets buckets) {
        public Sample {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        /** A value with labels given as name, value, name, value, ... */
        public static Sample of(double value, String... labels) {
            return new Sample(pairs(labels), value, null);
        }

        /** A histogram's buckets with labels given as name, value, ... */
        public static Sample histogram(Buckets buckets, String... labels) {
            return new Sample(pairs(labels), 0, buckets);
        }

        private static Map<String, String> pairs(String... labels) {
            if (labels.length % 2 != 0) {
                throw new IllegalArgumentException("labels come in name, value pairs");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                out.put(labels[i], labels[i + 1]);
            }
            return out;
        }
    }

    /**
     * A histogram's observations so far.
     *
     * @param upperBounds increasing finite bounds
     * @param counts      observations in each bucket (not cumulative): {@code counts[i]} are above
     *                    bound i-1 and at most bound i; one more than the bounds, the last above
     *                    every bound
     * @param sum         the sum of every observation
     */
    record Buckets(double[] upperBounds, long[] counts, double sum) {
        public Buckets {
            upperBounds = upperBounds.clone();
            counts = counts.clone();
            if (counts.length != upperBounds.length + 1) {
                throw new IllegalArgumentException("one count per bound and one above them");
            }
            for (int i = 1; i < upperBounds.length; i++) {
                if (!(upperBounds[i] > upperBounds[i - 1])) {
                    throw new IllegalArgumentException("bounds must increase: " + Arrays.toString(upperBounds));
                }
            }
        }

        @Override
        public double[] upperBounds() {
            return upperBounds.clone();
        }

        @Override
        public long[] counts() {
            return counts.clone();
        }

        /** Every observation. */
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Buckets b && Arrays.equals(upperBounds, b.upperBounds)
                    && Arrays.equals(counts, b.counts) && Double.compare(sum, b.sum) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(counts)) + Double.hashCode(sum);
        }

        @Override
        public String toString() {
            return "Buckets" + Arrays.toString(upperBounds) + Arrays.toString(counts) + " sum " + sum;
        }
    }
}
