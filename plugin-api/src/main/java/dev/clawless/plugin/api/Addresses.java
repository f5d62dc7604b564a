package dev.clawless.plugin.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Whether a URL points at the public internet: for channels and plugins that follow a URL a platform (or anyone)
 * handed them, so it cannot lead the hub into its own network (loopback, private, link-local, carrier-grade NAT,
 * unique-local, multicast, the cloud metadata address). The host is resolved and every address checked.
 */
public final class Addresses {

    private Addresses() {
    }

    /** True when {@code url} is http(s) and every address its host resolves to is public. */
    public static boolean isPublic(URI url) {
        if (url.getScheme() == null || !(url.getScheme().equals("https") || url.getScheme().equals("http"))
                || url.getHost() == null || url.getRawUserInfo() != null) {
            return false;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(url.getHost())) {
                if (!isPublic(a)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0 || (first == 100 && second >= 64 && second <= 127) || first >= 224);
        }
        return !(a instanceof Inet6Address) || (b[0] & 0xfe) != 0xfc; // fc00::/7 unique-local
    }
}
