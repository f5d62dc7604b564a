package dev.clawless.server.http;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors as problem+json, request ids, limits, health, metrics — and the server keeps serving after each. */
class HttpConventionsServerTest {

    private static TestHub hub;
    private static String tenant;
    private static String chatKey;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        tenant = hub.tenant("Conventions");
        chatKey = hub.key(tenant, "[\"chat\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static JsonNode problem(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode p = json(r);
        assertEquals(status, p.get("status").asInt());
        assertTrue(p.get("type").asText().startsWith("urn:clawless:problem:"), p.toString());
        assertFalse(p.get("title").asText().isEmpty());
        assertFalse(p.get("detail").asText().isEmpty());
        assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
        return p;
    }

    @Test
    void malformedJsonIsA400NamingTheBody() {
        JsonNode p = problem(hub.admin("POST", "/admin/tenants", "{\"name\": "), 400);
        assertEquals("body", p.at("/errors/0/field").asText());
        assertTrue(p.at("/errors/0/message").asText().startsWith("malformed JSON"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"tenant\"", "42", "null", "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\"} xx",
            "{\"x                                                  \":1,\"x                                                  \":2}",
            "{\"name\":\"a\"}{\"name\":\"b\"}"})
    void aBodyThatIsNotOneJsonObjectIsA400(String body) {
        problem(hub.admin("POST", "/admin/tenants", body), 400);
    }

    @Test
    void wrongTypesAreReportedPerField() {
        JsonNode p = problem(hub.admin("POST", "/admin/tenants",
                "{\"name\":7,\"plan\":[],\"quotas\":{\"tokens_per_month\":1.5},\"settings\":{\"mode\":true},\"x\":1}"),
                400);
        String fields = p.get("errors").findValuesAsText("field").toString();
        for (String f : new String[] {"name", "plan", "quotas.tokens_per_month", "settings.mode", "x"}) {
            assertTrue(fields.contains(f), f + " in " + fields);
        }
    }

    @Test
    void invalidUtf8IsA400() {
        byte[] body = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        HttpResponse<String> r = hub.send(hub.request("/admin/tenants")
                .header("Authorization", "Bearer " + TestHub.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        problem(r, 400);
    }

    @Test
    void aDeclaredBodyOverTheLimitIsA413BeforeAnyOfItIsSent() throws Exception {
        String head = "POST /admin/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestHub.ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n\r\n";
        String answer = exchange(head.getBytes(StandardCharsets.ISO_8859_1), 0);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("application/problem+json"), answer);
        assertTrue(answer.contains("X-Request-Id") || answer.contains("x-request-id"), answer);
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    @Test
    void aChunkedBodyIsCutOffJustPastTheLimit() throws Exception {
        String head = "POST /admin/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestHub.ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        // 1.25 MiB of chunks and no terminating chunk: the answer can only come from reading just past the limit
        String answer = exchange(head.getBytes(StandardCharsets.ISO_8859_1), 80);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("larger than 1048576 bytes"), answer);
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    /**
     * Sends {@code head} and then {@code chunks} chunks of 16 KiB from another thread (ignoring write errors once the
     * server has answered and closed), and returns what the server answers.
     */
    private static String exchange(byte[] head, int chunks) throws Exception {
        try (Socket s = new Socket("127.0.0.1", hub.hub().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head);
                    byte[] chunk = new byte[16 * 1024];
                    Arrays.fill(chunk, (byte) 'a');
                    byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < chunks; i++) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (java.io.IOException closedByServer) {
                    // the server answered early and closed: what this test wants
                }
            });
            String answer = readAnswer(s.getInputStream());
            writer.join(10_000);
            return answer;
        }
    }

    @Test
    void aBodyThatIsNotJsonIsA415() {
        HttpResponse<String> r = hub.send(hub.request("/admin/tenants")
                .header("Authorization", "Bearer " + TestHub.ADMIN_TOKEN)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")));
        problem(r, 415);
        HttpResponse<String> missing = hub.send(hub.request("/admin/tenants")
                .header("Authorization", "Bearer " + TestHub.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")));
        problem(missing, 415);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ck_live_", "Bearer ck_live_abc_def",
            "Bearer ck_live_00000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "Bearer test-admin-token-0123456789abcdef"})
    void missingOrInvalidKeysAre401(String authorization) {
        HttpRequest.Builder b = hub.request("/v1/tenant").GET();
        if (!authorization.isEmpty()) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = hub.send(b);
        problem(r, 401);
        assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElseThrow());
    }

    @Test
    void adminRoutesWantTheAdminToken() {
        problem(hub.call("GET", "/admin/tenants", null, null), 401);
        problem(hub.call("GET", "/admin/tenants", chatKey, null), 401);
        problem(hub.call("GET", "/admin/tenants", TestHub.ADMIN_TOKEN + "x", null), 401);
        problem(hub.call("GET", "/admin/tenants", TestHub.ADMIN_TOKEN.substring(1), null), 401);
    }

    @Test
    void aKeyWithoutTheScopeIs403() {
        JsonNode p = problem(hub.call("GET", "/v1/api-keys", chatKey, null), 403);
        assertEquals("urn:clawless:problem:insufficient-scope", p.get("type").asText());
        problem(hub.call("PATCH", "/v1/tenant", chatKey, "{\"name\":\"x\"}"), 403);
        JsonNode escalation = problem(hub.call("POST", "/v1/api-keys", hub.key(tenant, "[\"keys:admin\"]"),
                "{\"name\":\"more\",\"scopes\":[\"chat\"]}"), 403);
        assertEquals("urn:clawless:problem:scope-escalation", escalation.get("type").asText());
    }

    @Test
    void aSuspendedTenantsKeysAre403() {
        String t = hub.tenant("Suspended");
        String key = hub.key(t, "[\"chat\"]");
        assertEquals(200, hub.call("GET", "/v1/tenant", key, null).statusCode());
        hub.admin("PATCH", "/admin/tenants/" + t, "{\"status\":\"suspended\"}");
        JsonNode p = problem(hub.call("GET", "/v1/tenant", key, null), 403);
        assertEquals("urn:clawless:problem:tenant-suspended", p.get("type").asText());
        hub.admin("PATCH", "/admin/tenants/" + t, "{\"status\":\"active\"}");
        assertEquals(200, hub.call("GET", "/v1/tenant", key, null).statusCode());
    }

    @Test
    void anotherTenantsIdsAre404() {
        String other = hub.tenant("Other");
        String otherKeys = hub.key(other, "[\"keys:admin\"]");
        String otherKeyId = json(hub.call("GET", "/v1/api-keys", otherKeys, null)).at("/data/0/id").asText();
        String mine = hub.key(tenant, "[\"keys:admin\"]");
        problem(hub.call("GET", "/v1/api-keys/" + otherKeyId, mine, null), 404);
        problem(hub.call("POST", "/v1/api-keys/" + otherKeyId + "/rotate", mine, null), 404);
        problem(hub.call("DELETE", "/v1/api-keys/" + otherKeyId, mine, null), 404);
        problem(hub.admin("DELETE", "/admin/tenants/" + tenant + "/api-keys/" + otherKeyId, null), 404);
        assertEquals(200, hub.call("GET", "/v1/tenant", otherKeys, null).statusCode(), "still valid");
        problem(hub.call("GET", "/v1/api-keys/not-an-id", mine, null), 404);
        problem(hub.admin("GET", "/admin/tenants/ten_" + "z".repeat(300), null), 404);
    }

    @Test
    void unknownRoutesAre404AndWrongMethodsAre405WithAllow() {
        problem(hub.call("GET", "/nothing/here", null, null), 404);
        problem(hub.call("GET", "/v1/nothing", chatKey, null), 404);
        problem(hub.call("GET", "/v1/nothing", null, null), 401);
        HttpResponse<String> r = hub.call("PUT", "/v1/tenant", chatKey, "{}");
        problem(r, 405);
        assertEquals("GET, HEAD, PATCH", r.headers().firstValue("Allow").orElseThrow());
        problem(hub.call("POST", "/health/live", null, null), 405);
    }

    @Test
    void controlCharactersInAPathAreA400NotAServerError() {
        for (String path : new String[] {"/v1/conversations/cnv_%00abc", "/v1/conversations/%0d%0aX:1",
                "/v1/teams/tm_%1b%5b31m", "/admin/tenants/ten_%7f", "/console/assets/%00.js", "/hooks/%00"}) {
            HttpResponse<String> r = hub.call("GET", path, path.startsWith("/admin") ? TestHub.ADMIN_TOKEN : chatKey,
                    null);
            assertEquals(400, r.statusCode(), path + " " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        }
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    @Test
    void malformedHttpGetsAProblemAndTheServerKeepsServing() throws Exception {
        for (String raw : new String[] {"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                "POST /admin/tenants HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"}) {
            try (Socket s = new Socket("127.0.0.1", hub.hub().port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String answer = readAnswer(s.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
                assertTrue(answer.contains("application/problem+json"), answer);
            }
        }
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    /** Reads until the problem body's closing brace or the end of the stream. */
    private static String readAnswer(InputStream in) throws java.io.IOException {
        StringBuilder answer = new StringBuilder();
        byte[] buffer = new byte[2048];
        int n;
        while ((n = in.read(buffer)) > 0) {
            answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            if (answer.indexOf("\r\n\r\n") > 0 && answer.toString().strip().endsWith("}")) {
                break;
            }
        }
        return answer.toString();
    }

    @Test
    void requestIdsAreEchoedWhenSaneAndGeneratedOtherwise() {
        HttpResponse<String> echoed = hub.send(hub.request("/health/live").header("X-Request-Id", "abc-123.x").GET());
        assertEquals("abc-123.x", echoed.headers().firstValue("X-Request-Id").orElseThrow());
        HttpResponse<String> replaced = hub.send(hub.request("/health/live")
                .header("X-Request-Id", "bad id with spaces").GET());
        assertTrue(replaced.headers().firstValue("X-Request-Id").orElseThrow().startsWith("req_"));
        HttpResponse<String> error = hub.send(hub.request("/nope").header("X-Request-Id", "trace-42").GET());
        assertEquals("trace-42", json(error).get("request_id").asText());
    }

    @Test
    void healthAnswersAndReadinessChecksTheDatabase() {
        assertEquals("UP", json(hub.call("GET", "/health/live", null, null)).get("status").asText());
        JsonNode ready = json(hub.call("GET", "/health/ready", null, null));
        assertEquals("UP", ready.get("status").asText());
        assertEquals("database", ready.at("/checks/0/name").asText());
    }

    @Test
    void metricsCountRequestsPerRouteAndStatusInPrometheusFormat() {
        hub.call("GET", "/v1/tenant", chatKey, null);
        hub.call("GET", "/v1/tenant", null, null);
        HttpResponse<String> r = hub.call("GET", "/metrics", null, null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String body = r.body();
        assertTrue(body.contains("# TYPE clawless_http_requests_total counter"));
        assertTrue(body.contains("clawless_http_requests_total{method=\"GET\",route=\"/v1/tenant\",status=\"200\"}"));
        assertTrue(body.contains("clawless_http_requests_total{method=\"GET\",route=\"/v1/tenant\",status=\"401\"}"));
        assertTrue(body.contains("clawless_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/tenant\","
                + "status=\"200\",le=\"+Inf\"}"));
        assertFalse(body.contains("/admin/tenants/ten_"), "routes are templates, never raw paths");

        hub.send(hub.request("/v1/tenant").method("FOO1", HttpRequest.BodyPublishers.noBody()));
        hub.send(hub.request("/v1/tenant").method("BAR2", HttpRequest.BodyPublishers.noBody()));
        String after = hub.call("GET", "/metrics", null, null).body();
        assertFalse(after.contains("FOO1") || after.contains("BAR2"), "unknown methods add no series");
        assertTrue(after.contains("method=\"OTHER\",route=\"/v1/tenant\""));
    }
}
