/**
 * TLS material from files and the MINA filter both sides put first in their chains: PEM or
 * PKCS#12 certificates and keys loaded into the JDK's {@link javax.net.ssl.SSLContext}
 * ({@link io.chubby.client.internal.tls.TlsFiles}), the filter that speaks TLS 1.3 only over the
 * JDK's {@link javax.net.ssl.SSLEngine} and names the host it dialled
 * ({@link io.chubby.client.internal.tls.TlsFilter}, one
 * {@link io.chubby.client.internal.tls.TlsConnection} per session), and the names a certificate
 * carries ({@link io.chubby.client.internal.tls.CertificateNames}).
 *
 * <p>Private to the client bundle, and copied privately into the transport bundle at build time
 * (bnd {@code -conditionalpackage}): one implementation for both ends of a connection, no
 * exported package, no third-party type beyond MINA's filter.
 */
package io.chubby.client.internal.tls;
