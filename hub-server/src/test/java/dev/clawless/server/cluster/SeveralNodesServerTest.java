package dev.clawless.server.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.server.LogCapture;
import dev.clawless.server.TestHub;
import dev.clawless.server.TestRedis;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.TestHub.await;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hub nodes on one PostgreSQL database and one Redis server (real processes): rate limits count across both,
 * the live deltas of a turn reach streams on the other node, a connection changed on one node is forgotten by the
 * other at once; with Redis stopped both keep serving with their own limits and say so once, and they share again
 * when it is back — without a restart.
 */
class SeveralNodesServerTest {

    private static final int PER_MINUTE = 10;
    private static final String HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final String SECRET = "node-secret-0123456789";
    private static final List<String> TOKENS = List.of("Tokens ", "from ", "one ", "node.");

    private static LogCapture logs;
    private static TestRedis redis;
    private static WireMockServer llm;
    private static WireMockServer telegram;
    private static TestHub a;
    private static TestHub b;

    @BeforeAll
    static void start() throws IOException {
        logs = new LogCapture();
        redis = TestRedis.start();
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        StringBuilder stream = new StringBuilder();
        stream.append(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
        TOKENS.forEach(t -> stream.append(chunk("{\"content\":\"" + t + "\"}", "null")));
        stream.append(chunk("{}", "\"stop\"")).append("data: [DONE]\n\n");
        // the model's answer arrives over half a second, a few bytes at a time
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(stream.toString())
                .withChunkedDribbleDelay(TOKENS.size() + 2, 500)));
        telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        telegram.start();
        telegram.stubFor(post(urlMatching("/bot.*/(setWebhook|deleteWebhook|sendChatAction|sendmessage)"))
                .willReturn(okJson("{\"ok\":true,\"result\":true}")));
        DatabaseConfig pg = TestDatabases.postgresql();
        Path shared = Files.createTempDirectory("clawless-nodes-");
        Map<String, String> env = new HashMap<>();
        env.put("CLAWLESS_DB_URL", pg.url());
        env.put("CLAWLESS_DB_USERNAME", pg.username());
        env.put("CLAWLESS_DATA_DIR", shared.toString());
        env.put("CLAWLESS_REDIS_URL", redis.url());
        env.put("CLAWLESS_API_KEYS_REQUESTS_PER_MINUTE", String.valueOf(PER_MINUTE));
        env.put("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-nodes");
        env.put("CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1");
        env.put("CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test");
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        a = TestHub.start(env);
        b = TestHub.start(env);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        telegram.stop();
        llm.stop();
        redis.close();
        logs.close();
    }

    private static String chunk(String delta, String finish) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }

    /** Thirty requests with one key, alternating between the nodes; answers how many were served. */
    private static int servedOfThirty(String key) {
        int served = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = (i % 2 == 0 ? a : b).call("GET", "/v1/tenant", key, null);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 429, r.statusCode() + " " + r.body());
            served += r.statusCode() == 200 ? 1 : 0;
        }
        return served;
    }

    @Test
    void aKeysLimitHoldsForBothNodesTogether() {
        String key = a.key(a.tenant("Shared limit"), "[\"chat\"]");
        int served = servedOfThirty(key);
        System.out.println("shared limit: " + served + " of 30 requests served across two nodes, limit "
                + PER_MINUTE + "/min");
        // one token every 6 s: thirty requests in a few seconds get the ten (not ten per node)
        assertTrue(served == PER_MINUTE || served == PER_MINUTE + 1, "served " + served);
    }

    @Test
    void aStreamOnOneNodeSeesTheTokensOfATurnOnTheOther() throws Exception {
        String key = a.key(a.tenant("Deltas"), "[\"chat\",\"conversations:read\"]");
        String session = json(a.call("POST", "/v1/sessions", key, "{}")).get("id").asText();
        // a stream on each node: whichever node's worker runs the turn, the other sees it only through Redis
        try (Sse onA = Sse.open(a, key, session); Sse onB = Sse.open(b, key, session)) {
            await("both streams open", () -> onA.has(": connected") && onB.has(": connected"));
            HttpResponse<String> r = a.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(String.join("", TOKENS), json(r).at("/choices/0/message/content").asText());
            await("the stored reply on both streams", () -> onA.has(String.join("", TOKENS))
                    && onB.has(String.join("", TOKENS)));
            assertEquals(TOKENS, onA.deltas());
            assertEquals(TOKENS, onB.deltas());
            List<Long> lags = new ArrayList<>();
            for (int i = 0; i < TOKENS.size(); i++) {
                lags.add(Math.abs(onA.deltaAt(i) - onB.deltaAt(i)) / 1000);
            }
            System.out.println("delta latency between the nodes' streams (µs, per token): " + lags);
        }
    }

    @Test
    void aConnectionChangedOnOneNodeIsForgottenByTheOtherAtOnce() {
        String key = a.key(a.tenant("Connection"), "[\"channels:admin\"]");
        HttpResponse<String> created = a.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"config\":"
                + "{\"mode\":\"webhook\",\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":{\"bot_token\":"
                + "\"900001:NODES-token\",\"webhook_secret\":\"" + SECRET + "\"}}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        long cachedAt = System.nanoTime();
        assertEquals(200, hook(b, id), "node B reads the connection and keeps it");
        assertEquals(200, a.call("PATCH", "/v1/channels/" + id, key, "{\"enabled\":false}").statusCode());
        long changed = System.nanoTime();
        await("node B refusing the disabled connection", () -> hook(b, id) == 404);
        long seen = System.nanoTime();
        System.out.println("connection change seen by the other node after " + (seen - changed) / 1_000_000 + " ms");
        // without the message, node B would keep the connection for its 5 s time to live
        assertTrue(seen - cachedAt < 5_000_000_000L, (seen - cachedAt) / 1_000_000 + " ms");
    }

    @Test
    void withoutRedisTheNodesServeWithTheirOwnLimitsAndShareAgainWhenItIsBack() {
        String tenant = a.tenant("Outage");
        int before = logs.lines().size();
        redis.stop();
        try {
            for (TestHub node : List.of(a, b)) {
                await("node reporting Redis down", () -> health(node).toString().contains(
                        "{\"name\":\"redis\",\"status\":\"DOWN\"}"));
                HttpResponse<String> ready = node.call("GET", "/health/ready", null, null);
                assertEquals(200, ready.statusCode(), "still ready: it serves with its own limits");
                assertEquals("UP", json(ready).get("status").asText());
                assertTrue(json(ready).get("degraded").asBoolean());
                JsonNode system = json(node.admin("GET", "/admin/system", null)).get("redis");
                assertEquals("DOWN", system.get("status").asText());
                assertEquals(redis.url(), system.get("address").asText());
            }
            int served = servedOfThirty(a.key(tenant, "[\"chat\"]"));
            System.out.println("Redis down: " + served + " of 30 requests served across two nodes, limit "
                    + PER_MINUTE + "/min per node");
            assertTrue(served >= 2 * PER_MINUTE && served <= 2 * PER_MINUTE + 2, "served " + served);
            assertEquals(2, count(before, "is unavailable"), "one error per node for the whole outage");
        } finally {
            redis.resume();
        }
        for (TestHub node : List.of(a, b)) {
            await("node reporting Redis up again", () -> health(node).toString().contains(
                    "{\"name\":\"redis\",\"status\":\"UP\"}") && !health(node).has("degraded"));
        }
        assertEquals("UP", json(b.admin("GET", "/admin/system", null)).at("/redis/status").asText());
        int served = servedOfThirty(a.key(tenant, "[\"chat\"]"));
        System.out.println("Redis back: " + served + " of 30 requests served across two nodes");
        assertTrue(served == PER_MINUTE || served == PER_MINUTE + 1, "served " + served);
        assertEquals(2, count(before, "is back"));
        assertEquals(2, count(before, "is unavailable"));
    }

    private static JsonNode health(TestHub node) {
        return json(node.call("GET", "/health/ready", null, null));
    }

    private static long count(int from, String text) {
        List<String> lines = logs.lines();
        return lines.subList(from, lines.size()).stream().filter(l -> l.contains("Redis at ") && l.contains(text))
                .count();
    }

    private static int hook(TestHub node, String connectionId) {
        try (InputStream in = SeveralNodesServerTest.class.getResourceAsStream(
                "/fixtures/telegram/private_text.json")) {
            return node.send(node.request("/hooks/" + connectionId).header("Content-Type", "application/json")
                    .header(HEADER, SECRET).POST(HttpRequest.BodyPublishers.ofByteArray(in.readAllBytes())))
                    .statusCode();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A conversation's event stream read on a thread of its own, every line kept with when it came. */
    private static final class Sse implements AutoCloseable {

        private record Line(long at, String text) {
        }

        private final List<Line> lines = new ArrayList<>();
        private final HttpClient client = HttpClient.newHttpClient();
        private final Thread reader;

        private Sse(TestHub node, String key, String conversationId) {
            HttpRequest request = node.request("/v1/conversations/" + conversationId + "/events")
                    .timeout(java.time.Duration.ofMinutes(1)).header("Authorization", "Bearer " + key).GET().build();
            reader = Thread.ofVirtual().start(() -> {
                try (Stream<String> body = client.send(request, HttpResponse.BodyHandlers.ofLines()).body()) {
                    body.forEach(l -> {
                        synchronized (lines) {
                            lines.add(new Line(System.nanoTime(), l));
                        }
                    });
                } catch (IOException | InterruptedException | java.io.UncheckedIOException e) {
                    // closed
                }
            });
        }

        static Sse open(TestHub node, String key, String conversationId) {
            return new Sse(node, key, conversationId);
        }

        boolean has(String text) {
            synchronized (lines) {
                return lines.stream().anyMatch(l -> l.text.contains(text));
            }
        }

        private List<Line> deltaLines() {
            List<Line> out = new ArrayList<>();
            synchronized (lines) {
                for (int i = 0; i + 1 < lines.size(); i++) {
                    if (lines.get(i).text.equals("event: delta")) {
                        out.add(lines.get(i + 1));
                    }
                }
            }
            return out;
        }

        List<String> deltas() {
            return deltaLines().stream().map(l -> json(l.text.substring("data: ".length())).get("text").asText())
                    .toList();
        }

        long deltaAt(int i) {
            return deltaLines().get(i).at;
        }

        @Override
        public void close() {
            reader.interrupt();
            client.shutdownNow();
        }
    }
}
