package io.chubby.dns.internal;

/**
 * One registered proxy as DNS publishes it: the host and client port clients dial.
 *
 * @param host a host name or an IP literal (IPv6 without brackets)
 * @param port the proxy's client port, 1..65535
 */
record ProxyTarget(String host, int port) {
    /** {@code host:port} or {@code [v6]:port}; null when malformed. */
    static ProxyTarget parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return null;
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (host.isEmpty() || port < 1 || port > 65535 || !host.matches("[A-Za-z0-9.:-]+")) {
            return null;
        }
        return new ProxyTarget(host, port);
    }

    /**
     * The DNS label naming an IP-literal proxy inside the zone (the SRV target, with glue address
     * records): {@code proxy-<address with . and : as ->-<port>}, e.g. {@code proxy-127-0-0-1-7201}.
     */
    String label() {
        return "proxy-" + host.replace('.', '-').replace(':', '-') + "-" + port;
    }
}
