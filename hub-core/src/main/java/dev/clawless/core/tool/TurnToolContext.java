package dev.clawless.core.tool;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ToolContext;

/**
 * What a built-in tool call may use during an assistant turn: the tenant and conversation, and HTTP through the
 * network guard (no redirects followed, so a public URL cannot bounce the request inward).
 */
public final class TurnToolContext implements ToolContext {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final String tenantId;
    private final Optional<String> conversationId;
    private final NetworkGuard guard;

    public TurnToolContext(String tenantId, Optional<String> conversationId, NetworkGuard guard) {
        this.tenantId = tenantId;
        this.conversationId = conversationId;
        this.guard = guard;
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
        return Map.of();
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.empty();
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("clawless.tool." + tenantId);
    }

    @Override
    public HttpResponse<byte[]> http(HttpRequest request) throws IOException, InterruptedException {
        Optional<String> refusal = guard.refusal(request.uri());
        if (refusal.isPresent()) {
            throw new SecurityException(refusal.get());
        }
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
