package io.chubby.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real DNS client for the ITs: {@code dig} (bind9-dnsutils, installed by .ci/run), bounded. */
final class Dig {
    private Dig() {
    }

    /** {@code dig +short} of {@code name type} at the bridge on 127.0.0.1:{@code port}: the answer lines. */
    static List<String> ask(int port, String transport, String name, String type) {
        return lines(run(port, transport, "+short", name, type));
    }

    /** The full answer text (sections, status, counts). */
    static String full(int port, String transport, String name, String type) {
        return run(port, transport, "+noall", "+answer", "+additional", "+comments", name, type);
    }

    private static String run(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=2",
                "+tries=2"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || out.contains(";; connection timed out")) {
                throw new AssertionError(String.join(" ", cmd) + " -> exit " + p.exitValue() + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::trim).filter(l -> !l.isBlank()).toList();
    }
}
