package dev.clawless.server;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Served over https (its public URL), the hub names its session cookie {@code __Host-clawless_session}. */
class SecureCookieServerTest {

    @Test
    void overHttpsTheSessionCookieIsAHostOnlySecureCookie() {
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_PUBLIC_BASE_URL", "https://hub.example"))) {
            String link = hub.hub().setupLink().orElseThrow();
            String token = link.substring(link.indexOf("token=") + 6);
            HttpResponse<String> setup = hub.call("POST", "/v1/auth/setup", null, "{\"token\":\"" + token
                    + "\",\"email\":\"root@example.com\",\"display_name\":\"Root\",\"password\":\""
                    + Browser.PASSWORD + "\"}");
            assertEquals(201, setup.statusCode(), setup.body());
            String cookie = setup.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.startsWith("__Host-clawless_session="), cookie);
            assertTrue(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
                    cookie);
            String value = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
            HttpResponse<String> me = hub.send(hub.request("/v1/me").header("Cookie", "__Host-clawless_session="
                    + value).GET());
            assertEquals(200, me.statusCode(), me.body());
            assertEquals("root@example.com", json(me).get("user").get("email").asText());
            // the unprefixed name (which a sibling subdomain could set) is not read
            assertEquals(401, hub.send(hub.request("/v1/me").header("Cookie", "clawless_session=" + value).GET())
                    .statusCode());
            HttpResponse<String> out = hub.send(hub.request("/v1/auth/logout").header("Cookie",
                    "__Host-clawless_session=" + value).header("X-CSRF-Token", json(setup).get("csrf_token").asText())
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertTrue(out.headers().firstValue("Set-Cookie").orElse("").startsWith("__Host-clawless_session=;"),
                    out.headers().map().toString());
        }
    }
}
