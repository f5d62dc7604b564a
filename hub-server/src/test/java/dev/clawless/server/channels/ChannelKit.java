package dev.clawless.server.channels;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the channel tests share: fixtures, posting to hooks, waiting, and the hostile-payload corpus. */
final class ChannelKit {

    private ChannelKit() {
    }

    static byte[] fixture(String channel, String name) {
        try (InputStream in = ChannelKit.class.getResourceAsStream("/fixtures/" + channel + "/" + name)) {
            if (in == null) {
                throw new AssertionError("no fixture " + channel + "/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String text(String channel, String name) {
        return new String(fixture(channel, name), StandardCharsets.UTF_8);
    }

    /** POSTs {@code body} to {@code /hooks/{id}} with headers (name, value, name, value, …). */
    static HttpResponse<String> hook(TestHub hub, String connectionId, String contentType, byte[] body,
                                     String... headers) {
        HttpRequest.Builder b = hub.request("/hooks/" + connectionId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return hub.send(b);
    }

    /**
     * Declares a body larger than the hub accepts on {@code path} and answers the status line the hub sent before
     * any of it (a raw socket: an HTTP client would still be writing the body when the hub answers and closes).
     */
    static String declareTooLarge(TestHub hub, String path) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", hub.hub().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        TestHub.await(what, condition);
    }

    /** Creates a connection and returns its JSON. */
    static JsonNode connect(TestHub hub, String key, String json) {
        HttpResponse<String> r = hub.call("POST", "/v1/channels", key, json);
        assertEquals(201, r.statusCode(), r.body());
        return json(r);
    }

    /** The tenant's conversations on a channel type. */
    static List<JsonNode> conversations(TestHub hub, String key, String channel) {
        List<JsonNode> out = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations?channel=" + channel, key, null)).get("data").forEach(out::add);
        return out;
    }

    /** Reads the conversation's event stream until a line contains {@code wanted}; answers that line. */
    static String event(TestHub hub, String key, String conversationId, String wanted) {
        HttpRequest request = hub.request("/v1/conversations/" + conversationId + "/events")
                .header("Authorization", "Bearer " + key).GET().build();
        try (java.util.stream.Stream<String> lines = java.net.http.HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofLines()).body()) {
            return lines.filter(l -> l.contains(wanted)).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<JsonNode> messages(TestHub hub, String key, String conversationId) {
        List<JsonNode> out = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations/" + conversationId + "/messages?limit=100", key, null)).get("data")
                .forEach(out::add);
        return out;
    }

    /**
     * Hostile variants of valid JSON bodies: every truncation point of a sample, values of the wrong type, broken
     * UTF-8, non-JSON and non-object bodies. None is a message a platform could send.
     */
    static List<byte[]> hostileJson(List<String> validBodies, List<Map.Entry<String, String>> typeBreaks) {
        List<byte[]> out = new ArrayList<>();
        for (String sample : validBodies) {
            String body = sample.strip();
            for (int cut : new int[] {1, 2, body.length() / 4, body.length() / 3, body.length() / 2,
                    body.length() * 2 / 3, body.length() - 2, body.length() - 1}) {
                if (cut > 0 && cut < body.length()) {
                    out.add(body.substring(0, cut).getBytes(StandardCharsets.UTF_8));
                }
            }
            for (Map.Entry<String, String> e : typeBreaks) {
                String broken = body.replaceFirst(e.getKey(), e.getValue());
                if (!broken.equals(body)) {
                    out.add(broken.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            byte[] badUtf8 = bytes.clone();
            int quote = body.indexOf('"', body.indexOf(':') + 1) + 1;
            badUtf8[quote] = (byte) 0xC3;
            badUtf8[quote + 1] = (byte) 0x28;
            out.add(badUtf8);
        }
        for (String s : List.of("", "null", "[]", "123", "\"text\"", "true", "{", "}", "{}", "[{}]", "<xml/>",
                "update_id=1&message=hi", "{\"a\":1}{\"b\":2}", "\u0000\u0001\u0002", "{\"update_id\":}",
                "{'single':'quotes'}", "{\"x\":NaN}")) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        out.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0x7B, 0});
        return out;
    }

    /** Posts every body and asserts each gets a 4xx problem, never a 5xx, and the hub still answers. */
    static int assertAll4xx(TestHub hub, List<byte[]> bodies, Function<byte[], HttpResponse<String>> post) {
        int n = 0;
        for (byte[] body : bodies) {
            HttpResponse<String> r = post.apply(body);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, "got " + r.statusCode() + " for #" + n + " ("
                    + body.length + " bytes) "
                    + new String(body, 0, Math.min(3000, body.length), StandardCharsets.UTF_8) + " -> " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                    r.headers().toString());
            n++;
        }
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
        return n;
    }
}
