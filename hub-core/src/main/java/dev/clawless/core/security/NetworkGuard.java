package dev.clawless.core.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether the hub may send a request to a URL on a tenant's or plugin's behalf. After DNS resolution, every
 * address of the host must be public: loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT,
 * multicast, unspecified and cloud metadata addresses are refused, so a tool cannot reach the hub's own network.
 * Only http and https on their usual or explicit ports are allowed. Thread-safe.
 */
public final class NetworkGuard {

    /** Resolves host names; replaceable so tests can pin names to addresses without real DNS. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    private final Resolver resolver;
    private final boolean allowPrivate;

    /**
     * @param resolver     DNS
     * @param allowPrivate true only for development and tests against local fakes
     */
    public NetworkGuard(Resolver resolver, boolean allowPrivate) {
        this.resolver = resolver;
        this.allowPrivate = allowPrivate;
    }

    /** The system resolver. */
    public static NetworkGuard system(boolean allowPrivate) {
        return new NetworkGuard(host -> List.of(InetAddress.getAllByName(host)), allowPrivate);
    }

    /** Why {@code url} may not be called, or empty when it may. */
    public Optional<String> refusal(URI url) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return Optional.of("only http and https URLs may be called");
        }
        if (url.getHost() == null || url.getRawUserInfo() != null) {
            return Optional.of("the URL needs a host and no user info");
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(url.getHost());
        } catch (UnknownHostException e) {
            return Optional.of("the host " + url.getHost() + " does not resolve");
        }
        if (addresses.isEmpty()) {
            return Optional.of("the host " + url.getHost() + " does not resolve");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            if (isInternal(a)) {
                return Optional.of("the host " + url.getHost() + " resolves to a loopback, private, link-local or"
                        + " metadata address (" + a.getHostAddress() + "); the hub's operator can allow such addresses"
                        + " for a local test platform with clawless.network.allow-private-addresses");
            }
        }
        return Optional.empty();
    }

    /**
     * The address to connect to for {@code host}: resolved once and checked like {@link #refusal}, so that a second
     * lookup cannot swap in an internal address (DNS rebinding) between the check and the connection.
     *
     * @throws SecurityException with the reason when the host may not be reached
     */
    public InetAddress connectable(String host) {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new SecurityException("the host " + host + " does not resolve");
        }
        if (addresses.isEmpty()) {
            throw new SecurityException("the host " + host + " does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                if (isInternal(a)) {
                    throw new SecurityException("the host " + host + " resolves to a loopback, private, link-local"
                            + " or metadata address (" + a.getHostAddress() + ")");
                }
            }
        }
        return addresses.get(0);
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first == 127 || (first == 100 && second >= 64 && second <= 127)
                    || (first == 169 && second == 254) || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19)) || first >= 224;
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            boolean uniqueLocal = (first & 0xfe) == 0xfc;
            boolean mappedV4 = b.length == 16 && isV4Mapped(b);
            if (mappedV4) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
            return uniqueLocal;
        }
        return true;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
