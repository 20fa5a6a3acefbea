package io.chubby.cli.internal.cell;

import io.chubby.spi.ReplicaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The DNS bridge part of a local cell: {@code DIR/replica-<i>/etc/io.chubby.dns.cfg} (Config Admin
 * PID {@code io.chubby.dns}, read by the optional dns-bridge bundle through FileInstall), so that
 * replica i serves the zone {@code <cell>.chubby.} on {@code 127.0.0.1:basePort+50+i} (UDP and TCP).
 * Immutable.
 */
public record DnsConfig(CellLayout layout) {
    public static final String PID = ReplicaConfig.DNS_PID;
    /** DNS ports sit between the client ports (P+i) and the peer ports (P+100+i). */
    public static final int PORT_OFFSET = 50;

    public int port(int id) {
        return layout.basePort() + PORT_OFFSET + id;
    }

    public Path configFile(int id) {
        return layout.configFile(id, PID);
    }

    /** The keys {@code cell up} sets in replica {@code id}'s {@code io.chubby.dns.cfg}. */
    public Map<String, String> keys(int id) {
        return Map.of("dns.cell", layout.cellName(), "dns.bind", CellLayout.HOST, "dns.port", Integer.toString(port(id)));
    }

    /** The line {@code cell up} prints before the CHUBBY_CELL one: replica 1's DNS bridge. */
    public String exportLine() {
        return exportLine(1);
    }

    /** The CHUBBY_DNS line naming replica {@code id}'s DNS bridge. */
    public String exportLine(int id) {
        return "export CHUBBY_DNS=" + CellLayout.HOST + ":" + port(id);
    }

    /** Whether replica {@code id} is configured to run the DNS bridge (its {@code io.chubby.dns.cfg} exists). */
    public boolean enabled(int id) {
        return Files.isRegularFile(configFile(id));
    }

    /** The ids of the replicas configured to run the DNS bridge, in order. */
    public List<Integer> enabledReplicas() {
        return IntStream.rangeClosed(1, layout.replicas()).filter(this::enabled).boxed().toList();
    }

    /**
     * Writes every replica's DNS keys ({@code enabled}) or removes the file (not: {@code --no-dns}).
     * The keys are merged into the file, so other {@code dns.*} keys (from {@code cell up --set})
     * stay; like the replica config, a file is only rewritten when its keys changed (a running
     * replica's FileInstall would otherwise reconfigure the bridge for nothing); removing it stops
     * the bridge of a running replica.
     */
    public void apply(boolean enabled) {
        for (int i = 1; i <= layout.replicas(); i++) {
            Path f = configFile(i);
            if (enabled) {
                CellLayout.mergeConfig(f, "# DNS bridge of replica " + i + " of cell " + layout.cellName()
                        + ", written by 'chubby cell up'.", keys(i));
            } else {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove " + f + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
