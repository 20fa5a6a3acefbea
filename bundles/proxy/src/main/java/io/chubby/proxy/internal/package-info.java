/**
 * The proxy's edges: the OSGi component ({@code ProxyComponent}: configuration, registering the
 * request handler), the plain-Java server it runs ({@code ProxyServer}: the upstream raw channel,
 * the timer), the client-facing {@code ProxyHandler} (KeepAlives absorbed, location and status
 * answered here, every other call passed through) and the {@code GroupKeeper} that renews the
 * sessions upstream with one group KeepAlive; {@code Principals} (each client's principal carried
 * upstream as {@code on_behalf_of}), {@code UpstreamTls} (the proxy's own TLS towards the cell) and
 * {@code AclWatch} (polls the ACL directory for the cache's read grants); {@code CacheReads} and
 * {@code CacheAbsence} (contents, and the absence of nodes, served from the shared cache and filled
 * with the proxy's own session); {@code ProxySeries} (its Status numbers as the component's
 * metric series).
 */
package io.chubby.proxy.internal;
