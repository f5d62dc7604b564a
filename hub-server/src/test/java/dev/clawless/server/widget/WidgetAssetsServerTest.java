package dev.clawless.server.widget;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the hub serves the widget script and the demo page: caching, compression, versioned path, size budget. */
class WidgetAssetsServerTest {

    private static TestHub hub;
    private static TestHub plain;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("CLAWLESS_DEMO_ENABLED", "true"));
        plain = TestHub.start();
    }

    @AfterAll
    static void stop() {
        hub.close();
        plain.close();
    }

    private static byte[] script() throws IOException {
        try (InputStream in = WidgetAssetsServerTest.class.getClassLoader()
                .getResourceAsStream("clawless-widget/widget.js")) {
            assertTrue(in != null, "the hub is built with the widget");
            return in.readAllBytes();
        }
    }

    @Test
    void theScriptStaysWithinItsSizeBudget() throws IOException {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(script());
        }
        assertTrue(gz.size() <= 15 * 1024, "widget.js is " + gz.size() + " bytes gzipped; the budget is 15 KB");
    }

    @Test
    void widgetJsIsCachedBrieflyTheVersionedPathForeverBothCompressed() throws IOException {
        HttpResponse<byte[]> r = hub.sendBytes(hub.request("/widget.js").header("Accept-Encoding", "gzip"));
        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(""));
        assertEquals("public, max-age=300, must-revalidate", r.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertArrayEquals(script(), in.readAllBytes());
        }
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, hub.sendBytes(hub.request("/widget.js").header("Accept-Encoding", "gzip")
                .header("If-None-Match", etag)).statusCode());
        HttpResponse<byte[]> identity = hub.sendBytes(hub.request("/widget.js").header("Accept-Encoding", "gzip;q=0"));
        assertTrue(identity.headers().firstValue("Content-Encoding").isEmpty());
        assertArrayEquals(script(), identity.body());
        assertTrue(!identity.headers().firstValue("ETag").orElseThrow().equals(etag), "one ETag per encoding");

        String page = hub.send(hub.request("/")).body();
        Matcher m = Pattern.compile("src=\"(/widget/([0-9a-f]{16})/widget\\.js)\" data-key=\"(pk_[0-9a-z]+)\"")
                .matcher(page);
        assertTrue(m.find(), page);
        assertEquals("\"" + m.group(2) + "-gz\"", etag);
        HttpResponse<byte[]> versioned = hub.sendBytes(hub.request(m.group(1)).header("Accept-Encoding", "gzip, br"));
        assertEquals(200, versioned.statusCode());
        assertEquals("public, max-age=31536000, immutable", versioned.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(404, hub.sendBytes(hub.request("/widget/0123456789abcdef/widget.js")).statusCode());

        // the demo's key opens a session from the hub's own origin, and from nowhere else
        String body = "{\"publishable_key\":\"" + m.group(3) + "\"}";
        assertEquals(200, hub.send(hub.request("/widget/v1/sessions").header("Origin", hub.base())
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                        .ofString(body, StandardCharsets.UTF_8))).statusCode());
        assertEquals(403, hub.send(hub.request("/widget/v1/sessions").header("Origin", "https://elsewhere.example")
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                        .ofString(body, StandardCharsets.UTF_8))).statusCode());
    }

    @Test
    void withoutTheDemoTheRootIsTheLandingPage() {
        String page = plain.send(plain.request("/")).body();
        assertTrue(page.contains("Clawless hub is running") && !page.contains("data-key"), page);
        // the hub's real address; the token from configuration (the test hub's), not a file
        assertTrue(page.contains("curl -X POST " + plain.hub().baseUrl() + "/admin/tenants"), page);
        assertTrue(page.contains("$CLAWLESS_ADMIN_TOKEN") && !page.contains("data/admin-token"), page);
        assertTrue(!page.contains(TestHub.ADMIN_TOKEN), "the page never shows the token itself");
        assertTrue(page.contains("<code>" + plain.hub().config().dataDir().toAbsolutePath() + "</code>"), page);
    }
}
