package dev.clawless.core.marketplace.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.ToolContext;

/**
 * A tool call's context inside the sandbox. Secrets and HTTP are calls back to the hub, which answers from the
 * installation's own grants and its guarded client (declared hosts, private-address guard, size limit): the sandbox
 * holds no more than the call asked for.
 */
final class RemoteToolContext implements ToolContext {

    private static final Duration CALLBACK_TIMEOUT = Duration.ofMinutes(2);

    private final Peer hub;
    private final String ctx;
    private final String tenantId;
    private final Optional<String> conversationId;
    private final Map<String, String> config;
    private final String installationId;

    RemoteToolContext(Peer hub, String ctx, String tenantId, Optional<String> conversationId,
                      Map<String, String> config, String installationId) {
        this.hub = hub;
        this.ctx = ctx;
        this.tenantId = tenantId;
        this.conversationId = conversationId;
        this.config = Map.copyOf(config);
        this.installationId = installationId;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public Optional<String> conversationId() {
        return conversationId;
    }

    @Override
    public Map<String, String> config() {
        return config;
    }

    @Override
    public Optional<String> secret(String name) {
        ObjectNode body = Wire.JSON.createObjectNode().put("name", name);
        JsonNode value = callHub("ctx.secret", body);
        return value == null || !value.isTextual() ? Optional.empty() : Optional.of(value.asText());
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("clawless.plugin.installation." + installationId);
    }

    @Override
    public HttpResponse<byte[]> http(HttpRequest request) throws IOException, InterruptedException {
        ObjectNode body = Wire.JSON.createObjectNode();
        body.put("method", request.method());
        body.put("uri", request.uri().toString());
        body.set("headers", Wire.JSON.valueToTree(request.headers().map()));
        body.put("body", SandboxChild.bodyOf(request));
        request.timeout().ifPresent(t -> body.put("timeoutMillis", t.toMillis()));
        JsonNode answer;
        try {
            answer = callHub("ctx.http", body);
        } catch (SandboxFailure e) {
            throw new IOException(e.getMessage());
        }
        Map<String, List<String>> headers = Wire.JSON.convertValue(answer.get("headers"),
                new TypeReference<Map<String, List<String>>>() { });
        return new Response(request, answer.path("status").asInt(), HttpHeaders.of(headers, (k, v) -> true),
                answer.get("body").binaryValue());
    }

    private JsonNode callHub(String method, ObjectNode body) {
        try {
            return hub.call(method, body, ctx, CALLBACK_TIMEOUT);
        } catch (Peer.Timeout e) {
            throw new SandboxFailure("the hub did not answer " + method);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailure("interrupted");
        }
    }

    /** The hub's answer as the plugin expects it. */
    private record Response(HttpRequest request, int statusCode, HttpHeaders headers, byte[] body)
            implements HttpResponse<byte[]> {

        @Override
        public Optional<HttpResponse<byte[]>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
