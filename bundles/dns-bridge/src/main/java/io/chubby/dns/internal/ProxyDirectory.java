package io.chubby.dns.internal;

import io.chubby.api.DirEntry;
import io.chubby.spi.NamespaceView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies registered with the cell, read from the namespace: every file under
 * {@code /ls/<cell>/proxies} (cell-relative {@link #DIRECTORY}) is one proxy's registration, an
 * ephemeral file whose first {@code key=value} line that matters here is {@code address=host:port}
 * (bundles/proxy README, "Registration"). Files without a usable address are skipped, never an
 * error: the directory is writable by whoever the cell's ACLs let write it. Pure apart from the
 * view it is handed; thread-safe.
 */
final class ProxyDirectory {
    /** Cell-relative: {@code /ls/<cell>/proxies}. */
    static final String DIRECTORY = "/proxies";
    private static final String ADDRESS_KEY = "address=";

    private ProxyDirectory() {
    }

    /** The registered proxies in name order, each once. */
    static List<ProxyTarget> read(NamespaceView namespace) {
        List<ProxyTarget> out = new ArrayList<>();
        for (DirEntry e : namespace.children(DIRECTORY)) {
            if (e.stat() != null && e.stat().directory()) {
                continue;
            }
            byte[] contents = namespace.contents(DIRECTORY + "/" + e.name());
            ProxyTarget t = contents == null ? null : parse(new String(contents, StandardCharsets.UTF_8));
            if (t != null && !out.contains(t)) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /** The {@code address=host:port} line of a registration, or null when there is none usable. */
    static ProxyTarget parse(String contents) {
        for (String line : contents.split("\n")) {
            String l = line.strip();
            if (l.startsWith(ADDRESS_KEY)) {
                return ProxyTarget.parse(l.substring(ADDRESS_KEY.length()).strip());
            }
        }
        return null;
    }
}
