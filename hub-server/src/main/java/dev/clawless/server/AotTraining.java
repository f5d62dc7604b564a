package dev.clawless.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.server.config.ConfigLoader;
import dev.clawless.server.config.HubConfig;
import dev.clawless.server.http.Json;
import dev.clawless.server.logging.Logging;

/**
 * The training run of the JVM's ahead-of-time cache ({@code java -XX:AOTCacheOutput=… -jar clawless-hub.jar
 * --aot-training}; {@code ./hub} runs it once per build): a hub on the embedded database in a folder of its own
 * starts, provisions its demo (which loads the embedding model), answers a first question with the retrieval
 * assistant, streamed and not, and stops. The classes this loads and links are what the cache holds, so a hub started
 * with it skips that work. It never touches the configured database or data folder.
 */
final class AotTraining {

    private AotTraining() {
    }

    /** Runs the training with the hub's logging set up as {@code Main} sets it up; answers the exit status. */
    static int run() {
        Logging.configure(Level.WARNING, true);
        return exercise();
    }

    /** Starts, uses and stops a hub in a temporary folder, removed afterwards; 0 when every step answered. */
    static int exercise() {
        Path data;
        try {
            data = Files.createTempDirectory("clawless-aot-training-");
        } catch (IOException e) {
            System.err.println("clawless: cannot create a folder for the training run: " + e.getMessage());
            return 1;
        }
        String token = "aot-training-" + UUID.randomUUID();
        HubConfig config = ConfigLoader.load(Optional.empty(), Map.of(
                "CLAWLESS_PORT", "0",
                "CLAWLESS_HOST", "127.0.0.1",
                "CLAWLESS_DATA_DIR", data.toString(),
                "CLAWLESS_ADMIN_TOKEN", token,
                "CLAWLESS_DEMO_ENABLED", "true",
                "CLAWLESS_HTTP_SHUTDOWN_GRACE", "1s"));
        try (Hub hub = Hub.start(config)) {
            hub.demoProvisioned().get(2, TimeUnit.MINUTES);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + hub.port();
            expect(http, get(base + "/health/ready"), 200);
            expect(http, get(base + "/"), 200);
            String tenant = Json.MAPPER.readTree(Files.readString(data.resolve("demo.json"))).path("tenant_id")
                    .asText();
            JsonNode key = Json.MAPPER.readTree(expect(http, post(base + "/admin/tenants/" + tenant + "/api-keys",
                    token, "{\"name\":\"aot-training\",\"scopes\":[\"chat\"]}"), 201));
            for (boolean stream : new boolean[] {false, true}) {
                expect(http, post(base + "/v1/chat/completions", key.path("key").asText(), "{\"model\":\"default\","
                        + "\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"Which channels do you support?\"}]}"), 200);
            }
            return 0;
        } catch (Exception e) {
            System.err.println("clawless: the training run failed: " + e);
            return 1;
        } finally {
            deleteTree(data);
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
    }

    private static HttpRequest post(String url, String bearer, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String expect(HttpClient http, HttpRequest request, int status)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != status) {
            throw new IllegalStateException(request.uri().getPath() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("clawless: could not remove " + root + ": " + e.getMessage());
        }
    }
}
