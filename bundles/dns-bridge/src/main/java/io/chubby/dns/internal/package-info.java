/**
 * The DNS bridge: answers master-location questions over real DNS (UDP and TCP) from the
 * replica's live view of consensus. {@link io.chubby.dns.internal.DnsResponder} is the pure part
 * (query bytes + a {@link io.chubby.dns.internal.ZoneView} in, answer bytes out);
 * {@link io.chubby.dns.internal.DnsBridge} is the DS component owning the listeners
 * ({@link io.chubby.dns.internal.DnsServer}: MINA for TCP, a plain channel loop for UDP), whose
 * answers {@link io.chubby.dns.internal.QueryCounts} counts for the metrics bundle.
 */
package io.chubby.dns.internal;
