package dev.clawless.core.security;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkGuardTest {

    /** Resolves every name to the address in its first label, e.g. {@code 10.0.0.1.example}. */
    private static NetworkGuard pinned(String address) {
        return new NetworkGuard(host -> List.of(InetAddress.getByName(address)), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "224.0.0.1", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"})
    void internalAddressesAreRefusedAfterResolution(String address) {
        assertTrue(pinned(address).refusal(URI.create("https://api.example.com/x")).isPresent(), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "2606:4700::1111"})
    void publicAddressesAreAllowed(String address) {
        assertEquals(java.util.Optional.empty(), pinned(address).refusal(URI.create("https://api.example.com/x")));
    }

    @Test
    void otherSchemesUserInfoAndUnresolvableHostsAreRefused() {
        NetworkGuard guard = pinned("93.184.216.34");
        assertTrue(guard.refusal(URI.create("file:///etc/passwd")).isPresent());
        assertTrue(guard.refusal(URI.create("gopher://api.example.com/")).isPresent());
        assertTrue(guard.refusal(URI.create("https://user:pw@api.example.com/")).isPresent());
        NetworkGuard nothing = new NetworkGuard(host -> {
            throw new UnknownHostException(host);
        }, false);
        assertTrue(nothing.refusal(URI.create("https://nowhere.invalid/")).isPresent());
    }

    @Test
    void aHostWithOneInternalAddressAmongPublicOnesIsRefused() {
        NetworkGuard guard = new NetworkGuard(host -> List.of(InetAddress.getByName("93.184.216.34"),
                InetAddress.getByName("10.0.0.5")), false);
        assertTrue(guard.refusal(URI.create("https://rebind.example.com/")).isPresent());
    }
}
