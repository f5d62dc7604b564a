package dev.clawless.server.api;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.await;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An event stream is judged again when a change of access names its caller, on whichever node the change was made:
 * the node's event pump reads it from the audit log. No stream asks on a timer.
 */
class StreamAccessServerTest {

    private static final String CLOSED = "[closed]";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final List<TestHub> hubs = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        client.shutdownNow();
        hubs.forEach(TestHub::close);
    }

    @Test
    void aRevokedKeysStreamEndsSoonAndAnotherKeysStreamGoesOn() {
        TestHub hub = start(Map.of());
        String tenant = hub.tenant("Revoked");
        JsonNode revoked = issue(hub, tenant);
        JsonNode kept = issue(hub, tenant);
        String conversation = json(hub.call("POST", "/v1/sessions", kept.get("key").asText(), null)).get("id")
                .asText();
        List<String> ending = listen(hub, conversation, revoked.get("key").asText());
        List<String> going = listen(hub, conversation, kept.get("key").asText());
        await("the streams open", () -> ending.contains(": connected") && going.contains(": connected"));

        long revokedAt = System.nanoTime();
        assertEquals(204, hub.admin("DELETE", "/admin/tenants/" + tenant + "/api-keys/" + revoked.get("id").asText(),
                null).statusCode());
        await("the revoked key's stream ended", () -> ending.contains(CLOSED));
        System.out.printf("stream ended %d ms after its key was revoked on the same hub%n",
                (System.nanoTime() - revokedAt) / 1_000_000);

        assertEquals(201, hub.call("POST", "/v1/conversations/" + conversation + "/messages",
                kept.get("key").asText(), "{\"text\":\"Still here\"}").statusCode());
        await("the other stream gets the message", () -> going.stream().anyMatch(l -> l.contains("Still here")));
        assertFalse(going.contains(CLOSED), "the other key's stream goes on");
        assertEquals(CLOSED, ending.get(ending.size() - 1), "nothing after the end: " + ending);
    }

    @Test
    void aWidgetStreamEndsWhenItsConnectionIsDeleted() {
        TestHub hub = start(Map.of());
        String tenant = hub.tenant("Widget Shop");
        String key = hub.key(tenant, "[\"channels:admin\",\"conversations:read\"]");
        HttpResponse<String> created = hub.call("POST", "/v1/channels", key, "{\"type\":\"webchat\",\"config\":"
                + "{\"allowed_origins\":[\"https://shop.example\"]}}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode connection = json(created);
        HttpResponse<String> opened = hub.send(hub.request("/widget/v1/sessions").header("Origin",
                "https://shop.example").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"publishable_key\":\"" + connection.get("publishable_key").asText() + "\"}")));
        assertEquals(200, opened.statusCode(), opened.body());
        List<String> lines = listen(hub.request("/widget/v1/stream?session_token=" + json(opened)
                .get("session_token").asText()).header("Origin", "https://shop.example")
                .timeout(Duration.ofMinutes(2)).GET().build());
        await("the stream open", () -> lines.contains(": connected"));

        assertEquals(204, hub.call("DELETE", "/v1/channels/" + connection.get("id").asText(), key, null)
                .statusCode());
        await("the widget's stream ended", () -> lines.contains(CLOSED));
    }

    @Test
    void aKeyRevokedThroughAnotherHubOnTheSameDatabaseEndsTheStreamHere() {
        DatabaseConfig pg = TestDatabases.postgresql();
        Map<String, String> shared = Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username());
        TestHub here = start(shared);
        TestHub there = start(shared);
        String tenant = here.tenant("Two Hubs");
        JsonNode revoked = issue(here, tenant);
        JsonNode kept = issue(here, tenant);
        String conversation = json(here.call("POST", "/v1/sessions", kept.get("key").asText(), null)).get("id")
                .asText();
        List<String> ending = listen(here, conversation, revoked.get("key").asText());
        List<String> going = listen(here, conversation, kept.get("key").asText());
        await("the streams open", () -> ending.contains(": connected") && going.contains(": connected"));

        // written through the other hub: this hub's pump reads it from the shared tables
        assertEquals(201, there.call("POST", "/v1/conversations/" + conversation + "/messages",
                kept.get("key").asText(), "{\"text\":\"From the other hub\"}").statusCode());
        await("the message on both streams", () -> ending.stream().anyMatch(l -> l.contains("From the other hub"))
                && going.stream().anyMatch(l -> l.contains("From the other hub")));
        long revokedAt = System.nanoTime();
        assertEquals(204, there.admin("DELETE", "/admin/tenants/" + tenant + "/api-keys/"
                + revoked.get("id").asText(), null).statusCode());
        await("the revoked key's stream ended", () -> ending.contains(CLOSED));
        System.out.printf("stream ended %d ms after its key was revoked through another hub%n",
                (System.nanoTime() - revokedAt) / 1_000_000);
        assertFalse(going.contains(CLOSED), "the other key's stream goes on");

        // the tenant suspended through the other hub: every stream of it ends
        assertEquals(200, there.admin("PATCH", "/admin/tenants/" + tenant, "{\"status\":\"suspended\"}")
                .statusCode());
        await("the tenant's streams ended", () -> going.contains(CLOSED));
    }

    private TestHub start(Map<String, String> env) {
        TestHub hub = TestHub.start(env);
        hubs.add(hub);
        return hub;
    }

    private static JsonNode issue(TestHub hub, String tenant) {
        HttpResponse<String> r = hub.admin("POST", "/admin/tenants/" + tenant + "/api-keys",
                "{\"name\":\"reader\",\"scopes\":[\"chat\",\"conversations:read\",\"conversations:write\"]}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r);
    }

    /** The lines of a conversation's stream as they come, then {@link #CLOSED} when the hub ends it. */
    private List<String> listen(TestHub hub, String conversation, String key) {
        return listen(HttpRequest.newBuilder(URI.create(hub.base() + "/v1/conversations/" + conversation
                + "/events")).header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(2)).GET().build());
    }

    private List<String> listen(HttpRequest request) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                }
                lines.add(CLOSED);
            } catch (Exception ended) {
                lines.add("failed: " + ended);
            }
        });
        return lines;
    }
}
