package dev.clawless.core;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

import dev.clawless.plugin.api.ToolContext;

/**
 * What a turn hands a tool in these tests: a tenant, maybe a conversation, and the secrets granted; no HTTP.
 *
 * @param tenantId       the tenant
 * @param conversationId the conversation, if any
 * @param secrets        the granted secrets
 */
public record TestTurnContext(String tenantId, Optional<String> conversationId, Map<String, String> secrets)
        implements ToolContext {

    @Override
    public Map<String, String> config() {
        return Map.of();
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("test");
    }

    @Override
    public HttpResponse<byte[]> http(HttpRequest request) {
        throw new SecurityException("no HTTP in this test");
    }
}
