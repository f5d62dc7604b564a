package dev.clawless.server;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clawless.server.http.ClientAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-address limits on the sign-in routes count the client's address: the peer, or what a configured trusted
 * proxy says in {@code X-Forwarded-For}; a client that is not a trusted proxy cannot choose its address.
 */
class ClientAddressServerTest {

    private static HttpResponse<String> login(TestHub hub, String forwardedFor) {
        HttpRequest.Builder b = hub.request("/v1/auth/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"nobody@example.com\",\"password\":\"x\"}"));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return hub.send(b);
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnAllowance() {
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_ACCOUNTS_REQUESTS_PER_MINUTE", "3",
                "CLAWLESS_ACCOUNTS_LOGIN_FAILURES_PER_MINUTE", "1000",
                "CLAWLESS_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"))) {
            for (int i = 0; i < 3; i++) {
                // a second proxy hop (10.1.2.3, trusted) in between changes nothing
                assertEquals(401, login(hub, "198.51.100.7, 10.1.2.3").statusCode());
            }
            HttpResponse<String> limited = login(hub, "198.51.100.7");
            assertEquals(429, limited.statusCode(), limited.body());
            assertTrue(limited.headers().firstValue("Retry-After").isPresent());
            // another client behind the same proxy is not held back; a spoofed left-most entry is not believed
            assertEquals(401, login(hub, "203.0.113.9, 198.51.100.8").statusCode());
            assertEquals(401, login(hub, "198.51.100.8").statusCode());
            assertEquals(401, login(hub, "198.51.100.8").statusCode());
            assertEquals(429, login(hub, "198.51.100.7, 198.51.100.8").statusCode());
            // GETs are not counted
            assertEquals(200, hub.send(hub.request("/v1/auth/setup").header("X-Forwarded-For", "198.51.100.7"))
                    .statusCode());
        }
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_ACCOUNTS_REQUESTS_PER_MINUTE", "3",
                "CLAWLESS_ACCOUNTS_LOGIN_FAILURES_PER_MINUTE", "1000"))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(hub, "198.51.100." + i).statusCode());
            }
            assertEquals(429, login(hub, "198.51.100.99").statusCode());
            assertEquals(429, login(hub, null).statusCode());
        }
    }

    @Test
    void trustedProxiesAreAddressesOrRanges() {
        ClientAddress.trusting(List.of("10.0.0.0/8", "::1", "fd00::/8", "192.0.2.1/32"));
        for (String bad : List.of("proxy.example", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "", "1.2.3", "999.1.1.1",
                "01.2.3.4", "1.2.3.4.5")) {
            assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of(bad)), bad);
        }
    }
}
