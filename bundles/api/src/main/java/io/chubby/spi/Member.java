package io.chubby.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * One replica of a cell: its id (1..n, unique in the cell), the address clients use and the
 * address peers use. Written {@code id@host:clientPort:peerPort}; a cell's member list is these
 * joined by commas, e.g. {@code 1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102}.
 */
public record Member(int id, String host, int clientPort, int peerPort) {

    public Member {
        if (id <= 0 || id > 255) {
            throw new IllegalArgumentException("replica id must be 1..255, was " + id);
        }
        if (clientPort <= 0 || clientPort > 65535 || peerPort <= 0 || peerPort > 65535) {
            throw new IllegalArgumentException("bad port in member " + id);
        }
    }

    public String clientAddress() {
        return host + ":" + clientPort;
    }

    public String peerAddress() {
        return host + ":" + peerPort;
    }

    public static Member parse(String text) {
        String t = text.trim();
        int at = t.indexOf('@');
        String[] hp = at < 0 ? new String[0] : t.substring(at + 1).split(":");
        if (at < 0 || hp.length != 3) {
            throw new IllegalArgumentException("member '" + text + "' is not id@host:clientPort:peerPort");
        }
        try {
            return new Member(Integer.parseInt(t.substring(0, at)), hp[0], Integer.parseInt(hp[1]),
                    Integer.parseInt(hp[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member '" + text + "' has a non-numeric id or port", e);
        }
    }

    /** Parses a comma-separated member list; ids must be unique. */
    public static List<Member> parseList(String text) {
        List<Member> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                Member m = parse(part);
                for (Member o : out) {
                    if (o.id == m.id) {
                        throw new IllegalArgumentException("duplicate replica id " + m.id + " in '" + text + "'");
                    }
                }
                out.add(m);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty member list");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return id + "@" + host + ":" + clientPort + ":" + peerPort;
    }
}
