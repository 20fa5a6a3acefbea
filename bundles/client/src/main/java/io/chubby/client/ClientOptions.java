package io.chubby.client;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link ChubbyClient} reaches its cell and how patient it is. Immutable; build with
 * {@link #builder()} or {@link #forCell(String)}.
 *
 * @param replicas       client addresses ({@code host:port}) of the cell's replicas; any one that
 *                       answers tells where the master is
 * @param clientName     a name for this client, shown by the server (logs, session list)
 * @param callTimeout    how long one call may take in total, including finding the master and
 *                       retrying; a call that runs out fails with CELL_UNAVAILABLE (or, for a write
 *                       that was sent, OUTCOME_UNKNOWN). A write of a session gets the session's
 *                       lease on top (the master may hold it that long for a cache holder that died
 *                       or does not acknowledge); raw {@link MasterChannel} calls get exactly this
 * @param connectTimeout how long one TCP connect plus handshake to one replica may take
 * @param gracePeriod    how long a session in jeopardy keeps trying to reach the master before
 *                       it is considered expired (default 45 s)
 * @param driftMargin    fraction of every lease the client gives up to allow for clock drift
 *                       (default 0.02)
 * @param maxReplyDelay  how long a KeepAlive reply is assumed to travel at most (default 250 ms).
 *                       The local lease counts from max(the KeepAlive's send time, the reply's
 *                       arrival minus this), since the master may have held the KeepAlive for most
 *                       of a lease: local lease end = that + lease_ms * (1 - driftMargin)
 * @param retryBackoff   first pause before retrying after a failed attempt (default 10 ms); doubles per attempt,
 *                       capped at 250 ms (a paused call goes at once when the master answers another
 *                       call of its channel) and always bounded by the call's deadline
 * @param security       TLS and credentials (since 1.4; default {@link ClientSecurity#NONE}:
 *                       plaintext, anonymous). A Hello the cell refuses (wrong password) fails
 *                       every call with PERMISSION_DENIED at once, without retrying
 * @param eagerPartitionSessions in a partitioned cell, create the session of every partition at
 *                       connect instead of on the first call routed to each (since 1.8; default
 *                       false). Connect then returns once they all exist, and fails if one cannot
 *                       be created; the first call to each partition waits for no CreateSession.
 *                       No effect in a cell of one partition
 */
public record ClientOptions(List<String> replicas, String clientName, Duration callTimeout,
                            Duration connectTimeout, Duration gracePeriod, double driftMargin,
                            Duration retryBackoff, Duration maxReplyDelay, ClientSecurity security,
                            boolean eagerPartitionSessions) {

    /** Environment variable naming the cell: {@code host:port,host:port,...}. */
    public static final String CELL_ENV = "CHUBBY_CELL";
    /** Environment variable naming a DNS bridge ({@code host:port}) to find the cell {@code local} through. */
    public static final String DNS_ENV = "CHUBBY_DNS";
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(45);
    public static final double DEFAULT_DRIFT_MARGIN = 0.02;
    public static final Duration DEFAULT_MAX_REPLY_DELAY = Duration.ofMillis(250);
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(10);

    public ClientOptions {
        if (replicas == null || replicas.isEmpty()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "no replica addresses given");
        }
        for (String r : replicas) {
            parseAddress(r);
        }
        replicas = List.copyOf(replicas);
        if (clientName == null || clientName.isBlank()) {
            clientName = defaultClientName();
        }
        callTimeout = positive(callTimeout, DEFAULT_CALL_TIMEOUT, "callTimeout");
        connectTimeout = positive(connectTimeout, DEFAULT_CONNECT_TIMEOUT, "connectTimeout");
        gracePeriod = positive(gracePeriod, DEFAULT_GRACE_PERIOD, "gracePeriod");
        retryBackoff = positive(retryBackoff, DEFAULT_RETRY_BACKOFF, "retryBackoff");
        maxReplyDelay = positive(maxReplyDelay, DEFAULT_MAX_REPLY_DELAY, "maxReplyDelay");
        if (!(driftMargin >= 0 && driftMargin < 0.5)) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "driftMargin must be in [0, 0.5), was " + driftMargin);
        }
        if (security == null) {
            security = ClientSecurity.NONE;
        }
    }

    /** Options whose partition sessions are created on first use (the constructor before 1.8). */
    public ClientOptions(List<String> replicas, String clientName, Duration callTimeout, Duration connectTimeout,
                         Duration gracePeriod, double driftMargin, Duration retryBackoff, Duration maxReplyDelay,
                         ClientSecurity security) {
        this(replicas, clientName, callTimeout, connectTimeout, gracePeriod, driftMargin, retryBackoff, maxReplyDelay,
                security, false);
    }

    /** Options without TLS or credentials (the constructor before 1.4). */
    public ClientOptions(List<String> replicas, String clientName, Duration callTimeout, Duration connectTimeout,
                         Duration gracePeriod, double driftMargin, Duration retryBackoff, Duration maxReplyDelay) {
        this(replicas, clientName, callTimeout, connectTimeout, gracePeriod, driftMargin, retryBackoff, maxReplyDelay,
                ClientSecurity.NONE);
    }

    /** Options with defaults for the cell named by {@code spec} ({@code host:port,host:port,...}). */
    public static ClientOptions forCell(String spec) {
        return builder().cell(spec).build();
    }

    /**
     * Options with defaults for the cell named by the {@code CHUBBY_CELL} environment variable, or,
     * when it is unset, by {@code CHUBBY_DNS} ({@code host:port} of a DNS bridge serving the cell
     * {@code local}: the same as {@code CHUBBY_CELL=dns:local.chubby@host:port}). TLS and
     * credentials from {@code CHUBBY_TLS_CA}, {@code CHUBBY_TLS_CERT}, {@code CHUBBY_TLS_KEY},
     * {@code CHUBBY_USER} and {@code CHUBBY_PASSWORD} ({@link ClientSecurity#fromEnvironment}).
     */
    public static ClientOptions fromEnvironment() {
        String spec = System.getenv(CELL_ENV);
        if ((spec == null || spec.isBlank()) && System.getenv(DNS_ENV) != null && !System.getenv(DNS_ENV).isBlank()) {
            spec = dnsCellSpec(System.getenv(DNS_ENV));
        }
        if (spec == null || spec.isBlank()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, CELL_ENV + " is not set (expected host:port,...)");
        }
        return builder().cell(spec).security(ClientSecurity.fromEnvironment(System.getenv())).build();
    }

    /**
     * Parses a cell spec as printed by {@code chubby cell up}: {@code host:port,host:port,...};
     * whitespace is ignored and an {@code export CHUBBY_CELL=} prefix is accepted. A spec
     * {@code dns:<cell>.<domain>@host:port} (e.g. {@code dns:local.chubby@127.0.0.1:7051}) is
     * resolved now through the SRV records {@code _chubby._tcp.<cell>.<domain>.} at that DNS
     * server (the DNS bridge), master first. A spec {@code dns-proxy:<cell>.<domain>@host:port} is
     * resolved the same way through {@code _chubby-proxy._tcp.<cell>.<domain>.}: the proxies
     * registered with the cell, in random order.
     *
     * @throws ChubbyException INVALID_ARGUMENT naming the bad entry
     */
    public static List<String> parseCell(String spec) {
        if (spec == null) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "no cell given (expected host:port,...)");
        }
        String s = spec.trim();
        if (s.startsWith("export ")) {
            s = s.substring(7).trim();
        }
        if (s.startsWith(CELL_ENV + "=")) {
            s = s.substring(CELL_ENV.length() + 1);
        }
        if (s.startsWith(SrvDiscovery.SCHEME) || s.startsWith(SrvDiscovery.PROXY_SCHEME)) {
            // resolved once, now: the client finds the master among these replicas by itself
            return SrvDiscovery.resolve(s);
        }
        List<String> out = new ArrayList<>();
        for (String part : s.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                parseAddress(part);
                out.add(part);
            }
        }
        if (out.isEmpty()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "empty cell spec '" + spec + "' (expected host:port,...)");
        }
        return out;
    }

    /**
     * The cell spec for the cell {@code local} found through the DNS bridge at {@code dnsServer}
     * ({@code host:port}, the value of {@code CHUBBY_DNS}): {@code dns:local.chubby@host:port}.
     */
    public static String dnsCellSpec(String dnsServer) {
        String s = dnsServer.trim();
        if (s.startsWith("export ")) {
            s = s.substring(7).trim();
        }
        if (s.startsWith(DNS_ENV + "=")) {
            s = s.substring(DNS_ENV.length() + 1);
        }
        return SrvDiscovery.SCHEME + "local.chubby@" + s;
    }

    /**
     * Checks one {@code host:port} address and returns its port.
     *
     * @throws ChubbyException INVALID_ARGUMENT when it is not host:port with a port 1..65535
     */
    public static int parseAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad replica address '" + address + "' (expected host:port)");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad port in replica address '" + address + "'");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.replicas = replicas;
        b.clientName = clientName;
        b.callTimeout = callTimeout;
        b.connectTimeout = connectTimeout;
        b.gracePeriod = gracePeriod;
        b.driftMargin = driftMargin;
        b.retryBackoff = retryBackoff;
        b.maxReplyDelay = maxReplyDelay;
        b.security = security;
        b.eagerPartitionSessions = eagerPartitionSessions;
        return b;
    }

    private static Duration positive(Duration d, Duration dflt, String what) {
        if (d == null) {
            return dflt;
        }
        if (d.isNegative() || d.isZero()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, what + " must be positive, was " + d);
        }
        return d;
    }

    private static String defaultClientName() {
        return "java-client-" + ProcessHandle.current().pid();
    }

    /** Mutable builder of {@link ClientOptions}; unset values take the defaults. */
    public static final class Builder {
        private List<String> replicas = List.of();
        private String clientName;
        private Duration callTimeout;
        private Duration connectTimeout;
        private Duration gracePeriod;
        private double driftMargin = DEFAULT_DRIFT_MARGIN;
        private Duration retryBackoff;
        private Duration maxReplyDelay;
        private ClientSecurity security;
        private boolean eagerPartitionSessions;

        private Builder() {
        }

        /** The replicas from a cell spec {@code host:port,...} (see {@link ClientOptions#parseCell}). */
        public Builder cell(String spec) {
            this.replicas = parseCell(spec);
            return this;
        }

        public Builder replicas(List<String> addresses) {
            this.replicas = List.copyOf(addresses);
            return this;
        }

        public Builder clientName(String name) {
            this.clientName = name;
            return this;
        }

        public Builder callTimeout(Duration d) {
            this.callTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder gracePeriod(Duration d) {
            this.gracePeriod = d;
            return this;
        }

        public Builder driftMargin(double fraction) {
            this.driftMargin = fraction;
            return this;
        }

        public Builder retryBackoff(Duration d) {
            this.retryBackoff = d;
            return this;
        }

        public Builder maxReplyDelay(Duration d) {
            this.maxReplyDelay = d;
            return this;
        }

        /** TLS and credentials (default {@link ClientSecurity#NONE}). @since 1.4 */
        public Builder security(ClientSecurity s) {
            this.security = s;
            return this;
        }

        /**
         * In a partitioned cell, create every partition's session at connect (default false: each
         * on the first call routed to it). @since 1.8
         */
        public Builder eagerPartitionSessions(boolean eager) {
            this.eagerPartitionSessions = eager;
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(replicas, clientName, callTimeout, connectTimeout, gracePeriod, driftMargin,
                    retryBackoff, maxReplyDelay, security, eagerPartitionSessions);
        }
    }
}
