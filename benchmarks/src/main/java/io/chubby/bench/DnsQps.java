package io.chubby.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DNS bridge throughput: queries per second for one name (default {@code master.local.chubby. A})
 * over UDP on loopback. Each of {@code --threads} threads owns one connected UDP socket and keeps
 * {@code --window} queries in flight (send one more for every answer; a receive timeout counts the
 * window as lost and refills it). Only answers that are responses to a query of ours with rcode
 * NOERROR and at least one answer record count; the first answer is also parsed whole and must
 * hold an A record. Bounded: warm-up then a fixed measuring time.
 *
 * <pre>
 * java -cp "benchmarks/target/chubby-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *   io.chubby.bench.DnsQps --server 127.0.0.1:7051 [--name master.local.chubby.] [--threads 4]
 *   [--window 64] [--seconds 10] [--warmup 2]
 * </pre>
 */
public final class DnsQps {
    private DnsQps() {
    }

    /** Counters of one load thread; written by it, read after it ends. */
    private static final class Load implements Runnable {
        final InetSocketAddress server;
        final byte[] query;
        final int window;
        final AtomicBoolean measuring;
        final AtomicBoolean stop;
        long ok;
        long bad;
        long lost;
        String error;

        Load(InetSocketAddress server, byte[] query, int window, AtomicBoolean measuring, AtomicBoolean stop) {
            this.server = server;
            this.query = query;
            this.window = window;
            this.measuring = measuring;
            this.stop = stop;
        }

        @Override
        public void run() {
            byte[] q = query.clone();
            byte[] buf = new byte[1500];
            int nextId = 0;
            try (DatagramSocket s = new DatagramSocket()) {
                s.setReceiveBufferSize(1 << 20);
                s.setSoTimeout(200);
                s.connect(server);
                DatagramPacket out = new DatagramPacket(q, q.length);
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                int inFlight = 0;
                while (!stop.get()) {
                    while (inFlight < window) {
                        nextId = (nextId + 1) & 0xffff;
                        q[0] = (byte) (nextId >>> 8);
                        q[1] = (byte) nextId;
                        s.send(out);
                        inFlight++;
                    }
                    try {
                        in.setLength(buf.length);
                        s.receive(in);
                    } catch (SocketTimeoutException e) {
                        if (measuring.get()) {
                            lost += inFlight;
                        }
                        inFlight = 0;
                        continue;
                    }
                    inFlight--;
                    // header: QR bit set, RCODE 0, ANCOUNT > 0
                    boolean good = in.getLength() >= 12 && (buf[2] & 0x80) != 0 && (buf[3] & 0x0f) == 0
                            && ((buf[6] & 0xff) << 8 | (buf[7] & 0xff)) > 0;
                    if (measuring.get()) {
                        if (good) {
                            ok++;
                        } else {
                            bad++;
                        }
                    }
                }
            } catch (IOException e) {
                error = e.toString();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        String name = "master.local.chubby.";
        int threads = 4;
        int window = 64;
        int seconds = 10;
        int warmup = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = args[++i];
                case "--name" -> name = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (server == null) {
            System.err.println("usage: DnsQps --server HOST:PORT [--name NAME] [--threads T] [--window W] "
                    + "[--seconds S] [--warmup S]");
            System.exit(2);
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(server.substring(0, colon)),
                Integer.parseInt(server.substring(colon + 1)));
        Message query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        byte[] wire = query.toWire();
        checkOneAnswer(addr, wire, name);

        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Load> loads = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Load l = new Load(addr, wire, window, measuring, stop);
            loads.add(l);
            Thread th = new Thread(l, "dns-load-" + t);
            th.setDaemon(true);
            running.add(th);
            th.start();
        }
        Thread.sleep(warmup * 1000L);
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread th : running) {
            th.join(5000);
        }
        long ok = 0;
        long bad = 0;
        long lost = 0;
        for (Load l : loads) {
            if (l.error != null) {
                System.err.println("load thread failed: " + l.error);
            }
            ok += l.ok;
            bad += l.bad;
            lost += l.lost;
        }
        double secs = (t1 - t0) / 1e9;
        System.out.printf("dns-qps date=%s server=%s name=%s type=A threads=%d window=%d seconds=%.1f "
                        + "answered=%d qps=%.0f bad=%d lost=%d%n", Instant.now(), server, name, threads, window,
                secs, ok, ok / secs, bad, lost);
    }

    /** One query parsed whole: the server must answer NOERROR with an A record before we load it. */
    private static void checkOneAnswer(InetSocketAddress addr, byte[] wire, String name) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.connect(addr);
            s.send(new DatagramPacket(wire, wire.length));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            byte[] got = new byte[p.getLength()];
            System.arraycopy(buf, 0, got, 0, got.length);
            Message m = new Message(got);
            if (m.getRcode() != Rcode.NOERROR || m.getSection(Section.ANSWER).stream().noneMatch(r -> r instanceof ARecord)) {
                throw new IllegalStateException("no A record for " + name + " at " + addr + ":\n" + m);
            }
            System.out.println("check: " + m.getSection(Section.ANSWER).get(0));
        }
    }
}
