package io.chubby.client.internal.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The names a certificate carries: its subject's CN, and whether its SANs cover a host. */
public final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private CertificateNames() {
    }

    /** The subject's common name (the last CN if there are several), or null when it has none. */
    public static String commonName(X509Certificate cert) {
        String dn = cert.getSubjectX500Principal().getName();
        try {
            List<Rdn> rdns = new LdapName(dn).getRdns(); // most significant first in the list's reverse
            String cn = null;
            for (Rdn r : rdns) {
                if (r.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(r.getValue());
                }
            }
            return cn == null || cn.isBlank() ? null : cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    /**
     * Whether the certificate's subject alternative names cover {@code host}: an IP address
     * must be listed as a SAN IP, a name as a SAN DNS name (exactly, or by a {@code *.} wildcard
     * for one leftmost label). Used for peers, whose inbound side knows the host only after their
     * handshake says which member they are.
     */
    public static boolean covers(X509Certificate cert, String host) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        boolean ip = isIpLiteral(host);
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (ip && type == SAN_IP && sameAddress(value, host)) {
                return true;
            }
            if (!ip && type == SAN_DNS && dnsMatch(value, host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatch(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            return dot > 0 && h.substring(dot).equals(p.substring(1));
        }
        return p.equals(h);
    }
}
