package io.chubby.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Java Flight Recorder of the master: the replicas run with {@code -XX:StartFlightRecording=name=bench}
 * (through CHUBBY_SERVER_OPTS); after the workload the master's recording is dumped with jcmd and
 * its execution samples taken since the workload began are summarised (top frames, top packages).
 */
final class Flight {
    private Flight() {
    }

    static void dump(long pid, Path dir, Instant since) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("master-" + pid + ".jfr");
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Procs.run(dir, List.of(jcmd, "" + pid, "JFR.dump", "name=bench", "filename=" + file), 120);
        String summary = summarise(file, since);
        Files.writeString(dir.resolve("summary.txt"), summary);
        System.out.println(summary);
    }

    static String summarise(Path file, Instant since) throws Exception {
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> packages = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> anywhere = new HashMap<>();
        int samples = 0;
        Stats fsyncs = new Stats();
        double jvmCpu = 0;
        double machineCpu = 0;
        int cpuSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(since)) {
                continue;
            }
            String type = e.getEventType().getName();
            if (type.equals("jdk.FileForce")) {
                fsyncs.add(e.getDuration().toNanos());
                continue;
            }
            if (type.equals("jdk.CPULoad")) {
                jvmCpu += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                machineCpu += e.getFloat("machineTotal");
                cpuSamples++;
                continue;
            }
            if (!type.equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            RecordedFrame f = st.getFrames().get(0);
            String cls = f.getMethod().getType().getName();
            top.merge(cls + "." + f.getMethod().getName(), 1, Integer::sum);
            packages.merge(pkg(cls), 1, Integer::sum);
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame fr : st.getFrames()) {
                String c = fr.getMethod().getType().getName();
                if (c.startsWith("io.chubby.") || c.startsWith("com.sleepycat.") || c.startsWith("org.apache.mina.")) {
                    String m = c + "." + fr.getMethod().getName();
                    if (seen.add(m)) {
                        anywhere.merge(m, 1, Integer::sum);
                    }
                }
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "JFR %s: %d execution samples since %s%n", file.getFileName(), samples, since));
        if (cpuSamples > 0) {
            b.append(String.format(Locale.ROOT, "CPU (share of the whole machine): this JVM %.0f%%, machine %.0f%%%n",
                    100 * jvmCpu / cpuSamples, 100 * machineCpu / cpuSamples));
        }
        b.append(String.format(Locale.ROOT, "fsyncs slower than the recording threshold (20 ms): %d, median %.1f ms, max %.1f ms%n",
                fsyncs.count(), fsyncs.percentileMs(50), fsyncs.maxMs()));
        section(b, "top frames", top, samples, 15);
        section(b, "top-frame packages", packages, samples, 10);
        section(b, "threads", threads, samples, 10);
        section(b, "our/JE/MINA methods anywhere on the stack (inclusive)", anywhere, samples, 15);
        return b.toString();
    }

    private static String pkg(String cls) {
        int dot = cls.lastIndexOf('.');
        return dot < 0 ? cls : cls.substring(0, dot);
    }

    private static void section(StringBuilder b, String title, Map<String, Integer> counts, int total, int n) {
        b.append(title).append(":\n");
        List<Map.Entry<String, Integer>> l = new ArrayList<>(counts.entrySet());
        l.sort((x, y) -> y.getValue() - x.getValue());
        for (Map.Entry<String, Integer> e : l.subList(0, Math.min(n, l.size()))) {
            b.append(String.format(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
        }
    }
}
