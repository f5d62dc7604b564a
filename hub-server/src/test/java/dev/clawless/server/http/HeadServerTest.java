package dev.clawless.server.http;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

/**
 * HEAD wherever GET: the status, headers and {@code Content-Length} GET would send, and no body — checked on the raw
 * connection, where a body sent anyway would be read as the start of the next response.
 */
class HeadServerTest {

    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        key = hub.key(hub.tenant("Heads"), "[\"chat\",\"conversations:read\",\"conversations:write\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** One response read off the wire: status line, headers (lower-case names), and how many body bytes followed. */
    private record Raw(int status, List<String> headers) {
        String header(String name) {
            return headers.stream().filter(h -> h.startsWith(name + ":")).map(h -> h.substring(name.length() + 1)
                    .strip()).findFirst().orElse(null);
        }
    }

    /**
     * Sends HEAD {@code path} and then GET /health/live on one connection and returns both responses as parsed from
     * the bytes: if HEAD's answer carried a body, the second status line would not be where it must be.
     */
    private static List<Raw> headThenLive(String path, String authorization) throws IOException {
        URI base = URI.create(hub.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            String auth = authorization == null ? "" : "Authorization: Bearer " + authorization + "\r\n";
            out.write(("HEAD " + path + " HTTP/1.1\r\nHost: hub\r\n" + auth + "\r\n"
                    + "GET /health/live HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            List<Raw> responses = null;
            try {
                for (int n; responses == null && (n = in.read(buffer)) > 0; ) {
                    all.write(buffer, 0, n);
                    responses = parse(all.toString(StandardCharsets.ISO_8859_1));
                }
            } catch (SocketTimeoutException e) {
                // what arrived is all there is
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            assertTrue(responses != null, "two whole responses: " + text);
            return responses;
        }
    }

    /**
     * The two responses in {@code text} — HEAD's (headers only), then the GET's (headers and Content-Length bytes) —
     * or null while they have not all arrived. Fails when a status line is not where it must be, or bytes follow.
     */
    private static List<Raw> parse(String text) {
        List<Raw> responses = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < 2; i++) {
            int end = text.indexOf("\r\n\r\n", at);
            if (end < 0) {
                return null;
            }
            String[] lines = text.substring(at, end).split("\r\n");
            assertTrue(lines[0].startsWith("HTTP/1.1 "), "a status line where response " + (i + 1)
                    + " must start (a body of the HEAD response would be here): " + text);
            List<String> headers = new ArrayList<>();
            for (int l = 1; l < lines.length; l++) {
                int colon = lines[l].indexOf(':');
                headers.add(lines[l].substring(0, colon).toLowerCase(Locale.ROOT) + lines[l].substring(colon));
            }
            Raw raw = new Raw(Integer.parseInt(lines[0].substring(9, 12)), headers);
            responses.add(raw);
            at = end + 4;
            if (i == 1) {
                at += Integer.parseInt(raw.header("content-length"));
            }
        }
        if (text.length() < at) {
            return null;
        }
        assertEquals(at, text.length(), "nothing after the two responses: " + text);
        return responses;
    }

    @Test
    void headAnswersLikeGetWithoutTheBody() throws IOException {
        for (String path : List.of("/", "/console", "/openapi.yaml", "/health/ready", "/widget.js", "/metrics",
                "/v1/models")) {
            String token = path.startsWith("/v1/") ? key : null;
            HttpResponse<byte[]> get = hub.sendBytes(token == null ? hub.request(path)
                    : hub.request(path).header("Authorization", "Bearer " + token));
            List<Raw> both = headThenLive(path, token);
            Raw head = both.get(0);
            assertEquals(get.statusCode(), head.status(), path);
            if (!path.equals("/metrics")) { // its counters move between the two requests
                assertEquals(Integer.toString(get.body().length), head.header("content-length"), path);
            }
            assertEquals(get.headers().firstValue("content-type").orElse(null), head.header("content-type"), path);
            assertEquals(200, both.get(1).status(), path);
        }
    }

    @Test
    void errorsToHeadHaveTheirStatusAndNoBody() throws IOException {
        assertEquals(404, headThenLive("/no/such/route", null).get(0).status());
        assertEquals(401, headThenLive("/v1/models", null).get(0).status());
        Raw notAllowed = headThenLive("/v1/chat/completions", key).get(0);
        assertEquals(405, notAllowed.status());
        assertEquals("POST", notAllowed.header("allow"));
    }

    @Test
    void headOnAnEventStreamAnswersAndEnds() throws IOException {
        String id = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        List<Raw> both = headThenLive("/v1/conversations/" + id + "/events", key);
        assertEquals(200, both.get(0).status());
        assertTrue(both.get(0).header("content-type").startsWith("text/event-stream"), both.get(0).headers().toString());
        assertEquals(200, both.get(1).status(), "the connection serves the next request");
    }

    @Test
    void theAllowHeaderOfAGetRouteNamesHead() {
        HttpResponse<String> delete = hub.send(hub.request("/health/ready").DELETE());
        assertEquals(405, delete.statusCode());
        Matcher allow = Pattern.compile("GET, HEAD").matcher(delete.headers().firstValue("allow").orElse(""));
        assertTrue(allow.find(), delete.headers().map().toString());
    }
}
