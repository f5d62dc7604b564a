package dev.clawless.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Which address a request came from, for per-address limits and the sessions list. The connection's peer, unless
 * that peer is one of the configured trusted proxies ({@code clawless.http.trusted-proxies}): then the right-most
 * {@code X-Forwarded-For} entry that is not itself a trusted proxy. Nobody else can choose their address by sending
 * the header.
 */
public final class ClientAddress {

    /** Four decimal octets of 0-255 (an IPv6 literal has a colon and is never looked up by the JDK). */
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = trusted;
    }

    /** No trusted proxies: the connection's peer is the client. */
    public static ClientAddress direct() {
        return new ClientAddress(List.of());
    }

    /**
     * Trusts the given proxies.
     *
     * @param entries IP addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8})
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static ClientAddress trusting(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(Range.parse(entry.strip()));
        }
        return new ClientAddress(List.copyOf(ranges));
    }

    /** The client's address of a request. */
    public String of(ServerRequest req) {
        String peer = req.remotePeer().host();
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : req.headers().values(HeaderNames.X_FORWARDED_FOR)) {
            for (String hop : header.split(",")) {
                hops.add(hop.strip());
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            Optional<byte[]> address = literal(hop);
            if (address.isEmpty()) {
                return peer; // a hop our proxy would not write: do not trust what is left of it
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return peer;
    }

    private boolean isTrusted(String address) {
        Optional<byte[]> bytes = literal(address);
        return bytes.isPresent() && trusted.stream().anyMatch(r -> r.contains(bytes.get()));
    }

    /**
     * The bytes of an IP literal ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [::1]}, a zone id dropped); never
     * resolves a name: anything that is not a well-formed literal is empty before the JDK could take it for one.
     */
    static Optional<byte[]> literal(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = s.indexOf('%');
        if (zone > 0 && s.indexOf(':') >= 0) {
            s = s.substring(0, zone);
        }
        if (s.isEmpty() || s.length() > 45
                || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return Optional.empty();
        }
        if (s.indexOf(':') < 0 && !IPV4.matcher(s).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private record Range(byte[] network, int bits) {

        static Range parse(String entry) {
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            byte[] network = literal(host).orElseThrow(() -> new IllegalArgumentException(
                    "'" + entry + "' is not an IP address or CIDR range"));
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0.."
                            + network.length * 8);
                }
            }
            return new Range(network, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
