package dev.clawless.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.server.config.ConfigLoader;
import dev.clawless.server.config.HubConfig;

/**
 * A real hub for tests: the production wiring on a free port with its own data folder, and a small HTTP client.
 */
public final class TestHub implements AutoCloseable {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Hub hub;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestHub(Hub hub) {
        this.hub = hub;
    }

    /** A hub on the embedded H2 database. */
    public static TestHub start() {
        return start(Map.of());
    }

    /** A hub with extra {@code CLAWLESS_*} settings, e.g. {@code CLAWLESS_DB_URL}. */
    public static TestHub start(Map<String, String> env) {
        try {
            Path data = Files.createTempDirectory("clawless-hub-test-");
            Map<String, String> all = new HashMap<>();
            all.put("CLAWLESS_PORT", "0");
            all.put("CLAWLESS_HOST", "127.0.0.1");
            all.put("CLAWLESS_DATA_DIR", data.toString());
            all.put("CLAWLESS_ADMIN_TOKEN", ADMIN_TOKEN);
            // tests make many requests per tenant; the rate limit has its own test with its own quota
            all.put("CLAWLESS_PLANS_FREE_REQUESTS_PER_MINUTE", "100000");
            all.put("CLAWLESS_ACCOUNTS_REQUESTS_PER_MINUTE", "100000");
            // the demo tenant would be one more tenant in every test; the widget tests turn it on
            all.put("CLAWLESS_DEMO_ENABLED", "false");
            // the server waits out its grace while a client keeps an idle connection open; tests need no 10 s
            all.put("CLAWLESS_HTTP_SHUTDOWN_GRACE", "1s");
            all.putAll(env);
            HubConfig config = ConfigLoader.load(Optional.empty(), all);
            Hub hub = Hub.start(config);
            // the demo is provisioned after the hub is ready; tests that turn it on use it at once
            hub.demoProvisioned().get(60, java.util.concurrent.TimeUnit.SECONDS);
            return new TestHub(hub);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Hub hub() {
        return hub;
    }

    public String base() {
        return "http://127.0.0.1:" + hub.port();
    }

    /**
     * Sends a request. After a platform's request to {@code /hooks/} is acknowledged, waits until the inbound log has
     * been derived into messages (the ack means stored in the log; most tests read the conversation right after).
     */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            HttpRequest built = request.build();
            HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
            if (built.uri().getPath().startsWith("/hooks/") && response.statusCode() / 100 == 2) {
                inboundDerived();
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request and answers the body as bytes. */
    public HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
    }

    /** A request with a bearer token and, when {@code json} is not null, a JSON body. */
    public HttpResponse<String> call(String method, String path, String token, String json) {
        HttpRequest.Builder b = request(path);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(b);
    }

    public HttpResponse<String> admin(String method, String path, String json) {
        return call(method, path, ADMIN_TOKEN, json);
    }

    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Creates a tenant and returns its id. */
    public String tenant(String name) {
        HttpResponse<String> r = admin("POST", "/admin/tenants", "{\"name\":\"" + name + "\"}");
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        return json(r).get("id").asText();
    }

    /** Creates a key with the given scopes (JSON array text, e.g. {@code ["chat"]}) and returns the full key. */
    public String key(String tenantId, String scopesJson) {
        HttpResponse<String> r = admin("POST", "/admin/tenants/" + tenantId + "/api-keys",
                "{\"name\":\"test\",\"scopes\":" + scopesJson + "}");
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        return json(r).get("key").asText();
    }

    /** Waits until every event the hub's channels received has become a message (or a status). */
    public void inboundDerived() {
        await("the inbound log to be derived", () -> hub.inboundDeriver().backlog() == 0);
    }

    /** Waits up to 20 s for {@code condition}, checking every 50 ms. */
    public static void await(String what, java.util.function.BooleanSupplier condition) {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Override
    public void close() {
        hub.close();
    }
}
