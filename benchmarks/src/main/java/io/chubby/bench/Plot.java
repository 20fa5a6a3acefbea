package io.chubby.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the latency percentiles of a run as a PNG with Java2D (headless): one group per workload,
 * one bar pair per system (p99 light, p50 dark over it) on a logarithmic millisecond axis.
 */
final class Plot {
    /** The secured variants in a darker shade of their system's colour. */
    private static final Map<String, Color> COLORS = Map.of("chubby", new Color(0x1f77b4), "zookeeper",
            new Color(0x2ca02c), "etcd", new Color(0xd62728), "chubby-secure", new Color(0x0b3c5d), "chubby-tls", new Color(0x145a8a),
            "zookeeper-secure", new Color(0x145214), "zookeeper-netty", new Color(0x1f7a1f), "etcd-secure", new Color(0x7a1010));
    private static final int LEFT = 430;
    private static final int RIGHT = 150;
    private static final int BAR = 16;
    private static final int WIDTH = 1400;

    private Plot() {
    }

    static void write(List<Result> results, String header, Path png) throws IOException {
        Map<String, List<Result>> groups = new java.util.TreeMap<>();
        List<String> order = List.of("chubby", "chubby-tls", "chubby-secure", "zookeeper", "zookeeper-netty", "zookeeper-secure", "etcd", "etcd-secure");
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(java.util.Comparator.comparing(r -> order.indexOf(r.system()) < 0 ? 9 : order.indexOf(r.system())));
        for (Result r : sorted) {
            if (!Double.isNaN(r.p50Ms())) {
                groups.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
            }
        }
        int rows = groups.values().stream().mapToInt(List::size).sum();
        int height = 110 + rows * (BAR + 4) + groups.size() * 14 + 60;
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Latency p50 (dark) and p99 (light) per workload and system, ms, log scale", 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(header.length() > 230 ? header.substring(0, 230) + "..." : header, 20, 48);

        double lo = 1;
        double hi = 1;
        for (Result r : results) {
            if (!Double.isNaN(r.p50Ms()) && r.p50Ms() > 0) {
                lo = Math.min(lo, r.p50Ms() / 3);
            }
            if (!Double.isNaN(r.p99Ms())) {
                hi = Math.max(hi, r.p99Ms() * 3);
            }
        }
        double logLo = Math.floor(Math.log10(lo));
        double logHi = Math.ceil(Math.log10(hi));
        int plotW = WIDTH - LEFT - RIGHT;
        int top = 80;
        int bottom = height - 50;
        // decade grid
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double d = logLo; d <= logHi; d++) {
            int x = LEFT + (int) ((d - logLo) / (logHi - logLo) * plotW);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, top - 6, x, bottom);
            g.setColor(Color.DARK_GRAY);
            String label = d < 0 ? String.format(Locale.ROOT, "%." + (int) -d + "f", Math.pow(10, d))
                    : String.format(Locale.ROOT, "%.0f", Math.pow(10, d));
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 16);
        }
        g.drawString("milliseconds", LEFT + plotW / 2 - 30, bottom + 34);

        int y = top;
        for (Map.Entry<String, List<Result>> grp : groups.entrySet()) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.drawString(grp.getKey(), 10, y + 11);
            y += 14;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (Result r : grp.getValue()) {
                Color c = COLORS.getOrDefault(r.system(), Color.GRAY);
                g.setColor(Color.DARK_GRAY);
                g.drawString(r.system(), LEFT - 8 - g.getFontMetrics().stringWidth(r.system()), y + BAR - 4);
                int x99 = x(r.p99Ms(), logLo, logHi, plotW);
                int x50 = x(r.p50Ms(), logLo, logHi, plotW);
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
                g.fillRect(LEFT, y, x99 - LEFT, BAR);
                g.setColor(c);
                g.fillRect(LEFT, y + 3, x50 - LEFT, BAR - 6);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "p50 %s / p99 %s", fmt(r.p50Ms()), fmt(r.p99Ms())), x99 + 6,
                        y + BAR - 4);
                y += BAR + 4;
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(LEFT, top - 6, LEFT, bottom);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static int x(double ms, double logLo, double logHi, int plotW) {
        if (Double.isNaN(ms) || ms <= 0) {
            return LEFT;
        }
        double v = (Math.log10(ms) - logLo) / (logHi - logLo);
        return LEFT + (int) (Math.max(0, Math.min(1, v)) * plotW);
    }

    private static String fmt(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : ms >= 1 ? String.format(Locale.ROOT, "%.2f", ms)
                : String.format(Locale.ROOT, "%.4f", ms);
    }
}
