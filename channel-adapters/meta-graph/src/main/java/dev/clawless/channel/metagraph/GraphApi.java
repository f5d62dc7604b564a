package dev.clawless.channel.metagraph;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;

/**
 * Calls to Meta's Graph API for one connection: {@code {api_base_url}/{graph_version}/{path}} with a bearer token,
 * the JSON answer, or the platform's refusal as {@link ChannelException.SendFailed} carrying Meta's error code (its
 * subcode in the message) and whether trying later can help. Thread-safe.
 */
public final class GraphApi {

    /** Meta's throttling and temporary codes, common to its messaging APIs: retrying later helps. */
    public static final Set<Integer> RETRYABLE = Set.of(1, 2, 4, 17, 32, 341, 613, 1200, 80006, 80007);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_BASE = "https://graph.facebook.com";
    private static final String DEFAULT_VERSION = "v21.0";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Set<Integer> retryable;

    /** @param extraRetryable a platform's own throttling codes on top of {@link #RETRYABLE} */
    public GraphApi(Set<Integer> extraRetryable) {
        java.util.Set<Integer> all = new java.util.HashSet<>(RETRYABLE);
        all.addAll(extraRetryable);
        this.retryable = Set.copyOf(all);
    }

    /** The client, for media fetches ({@link PublicMedia}). */
    public HttpClient http() {
        return http;
    }

    /** The API's base URL for the connection, without a trailing slash. */
    public static String base(ChannelConnection c) {
        return c.config("api_base_url").orElse(DEFAULT_BASE).replaceAll("/+$", "");
    }

    /** {@code {base}/{version}/{path}}. */
    public static URI uri(ChannelConnection c, String path) {
        return URI.create(base(c) + "/" + c.config("graph_version").orElse(DEFAULT_VERSION) + "/" + path);
    }

    /** POSTs JSON. */
    public JsonNode postJson(ChannelConnection c, String path, String token, JsonNode body) {
        return call(c, uri(c, path), token, HttpRequest.BodyPublishers.ofString(body.toString(),
                StandardCharsets.UTF_8), "application/json");
    }

    /** POSTs any body. */
    public JsonNode call(ChannelConnection c, URI uri, String token, HttpRequest.BodyPublisher publisher,
                         String contentType) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .POST(publisher).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, dev.clawless.plugin.api.HttpBodies.text(1024 * 1024));
        } catch (HttpTimeoutException e) {
            throw new ChannelException.SendFailed("Graph API timed out", 0, true, Optional.empty(), Optional.empty(),
                    null);
        } catch (IOException e) {
            throw new ChannelException.SendFailed("Graph API unreachable: " + e.getClass().getSimpleName(), 0, true,
                    Optional.empty(), Optional.empty(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException.SendFailed("interrupted", 0, true, Optional.empty(), Optional.empty(), null);
        }
        JsonNode answer = parseQuietly(response.body());
        if (response.statusCode() / 100 == 2) {
            return answer;
        }
        JsonNode error = answer.path("error");
        int code = error.path("code").asInt(0);
        int subcode = error.path("error_subcode").asInt(0);
        boolean again = response.statusCode() == 429 || response.statusCode() >= 500 || retryable.contains(code)
                || error.path("is_transient").asBoolean(false);
        Optional<Duration> after = response.headers().firstValue("Retry-After").flatMap(GraphApi::seconds);
        throw new ChannelException.SendFailed("Graph API: " + error.path("message").asText("HTTP "
                + response.statusCode()) + (subcode == 0 ? "" : " (subcode " + subcode + ")"), response.statusCode(),
                again, after, code == 0 ? Optional.empty() : Optional.of(String.valueOf(code)), null);
    }

    /** A JSON body, or an empty object for anything else. */
    public static JsonNode parseQuietly(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? JSON.createObjectNode() : n;
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

    static Optional<Duration> seconds(String retryAfter) {
        try {
            long s = Long.parseLong(retryAfter.strip());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
