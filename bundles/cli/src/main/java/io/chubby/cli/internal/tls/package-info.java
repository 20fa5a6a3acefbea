/**
 * Certificates for {@code chubby cell up --tls}, made with BouncyCastle. Loaded only by that
 * command, in a class loader of its own over {@code lib/tls/} (see
 * {@link io.chubby.cli.internal.cell.TlsConfig}), so no other command pays for BouncyCastle; the
 * classes here use nothing but the JDK and BouncyCastle.
 */
package io.chubby.cli.internal.tls;
