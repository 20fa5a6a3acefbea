package io.chubby.cli.internal.cell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The DNS bridge part of a local cell: {@code DIR/replica-<i>/etc/io.chubby.dns.cfg} (Config Admin
 * PID {@code io.chubby.dns}, read by the optional dns-bridge bundle through FileInstall), so that
 * replica i serves the zone {@code <cell>.chubby.} on {@code 127.0.0.1:basePort+50+i} (UDP and TCP).
 * Immutable.
 */
public record DnsConfig(CellLayout layout) {
    public static final String PID = "io.chubby.dns";
    public static final String CONFIG_FILE = PID + ".cfg";
    /** DNS ports sit between the client ports (P+i) and the peer ports (P+100+i). */
    public static final int PORT_OFFSET = 50;

    public int port(int id) {
        return layout.basePort() + PORT_OFFSET + id;
    }

    public Path configFile(int id) {
        return layout.replicaDir(id).resolve("etc").resolve(CONFIG_FILE);
    }

    /** Contents of replica {@code id}'s {@code io.chubby.dns.cfg}. */
    public String configText(int id) {
        return "# DNS bridge of replica " + id + " of cell " + layout.cellName() + ", written by 'chubby cell up'.\n"
                + "dns.cell=" + layout.cellName() + "\n"
                + "dns.bind=" + CellLayout.HOST + "\n"
                + "dns.port=" + port(id) + "\n";
    }

    /** The line {@code cell up} prints before the CHUBBY_CELL one: replica 1's DNS bridge. */
    public String exportLine() {
        return "export CHUBBY_DNS=" + CellLayout.HOST + ":" + port(1);
    }

    /**
     * Writes every replica's DNS config ({@code enabled}) or removes it (not: {@code --no-dns}).
     * Like the replica config, a file is only rewritten when its text changed (a running replica's
     * FileInstall would otherwise reconfigure the bridge for nothing); removing it stops the
     * bridge of a running replica.
     */
    public void apply(boolean enabled) {
        try {
            for (int i = 1; i <= layout.replicas(); i++) {
                Path f = configFile(i);
                if (!enabled) {
                    Files.deleteIfExists(f);
                } else if (!Files.isRegularFile(f) || !Files.readString(f, StandardCharsets.UTF_8).equals(configText(i))) {
                    Files.createDirectories(f.getParent());
                    Files.writeString(f, configText(i), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the DNS configs of " + layout.dir() + ": " + e.getMessage(), e);
        }
    }
}
