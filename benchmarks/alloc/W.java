/** Sequential 100-byte writes from one Java client (benchmarks/alloc/run): 2,000 warm-up writes, then N timed. */
import io.chubby.client.*;
import java.time.Duration;
public class W {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[1]);
        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(a[0]).clientName("w").callTimeout(Duration.ofSeconds(30)).build())) {
            byte[] v = new byte[100];
            for (int i = 0; i < 2000; i++) c.write("/ls/local/warm" + (i % 10), v);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) c.write("/ls/local/k" + (i % 100), v);
            System.out.println("writes=" + n + " ms=" + (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
