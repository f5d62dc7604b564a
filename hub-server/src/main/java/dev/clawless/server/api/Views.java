package dev.clawless.server.api;

import java.time.Instant;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.common.Page;
import dev.clawless.core.security.AuditEntry;
import dev.clawless.core.tenant.ApiKey;
import dev.clawless.core.tenant.IssuedKey;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantSettings;
import dev.clawless.server.http.Json;

/** The JSON shapes of API responses (API.md): snake_case fields, RFC 3339 UTC times, nulls for absent values. */
final class Views {

    private Views() {
    }

    static ObjectNode tenant(Tenant t, Quotas effective) {
        ObjectNode node = Json.object();
        node.put("id", t.id());
        node.put("name", t.name());
        node.put("plan", t.plan());
        node.put("status", t.status().wire());
        node.set("quotas", quotas(effective));
        node.set("quota_overrides", overrides(t.overrides()));
        node.set("settings", settings(t.settings()));
        node.put("created_at", Json.time(t.createdAt()));
        node.put("updated_at", Json.time(t.updatedAt()));
        return node;
    }

    static ObjectNode quotas(Quotas q) {
        ObjectNode node = Json.object();
        node.put("messages_per_month", q.messagesPerMonth());
        node.put("tokens_per_month", q.tokensPerMonth());
        node.put("requests_per_minute", q.requestsPerMinute());
        return node;
    }

    static ObjectNode overrides(QuotaOverrides q) {
        ObjectNode node = Json.object();
        putOptional(node, "messages_per_month", q.messagesPerMonth().orElse(null));
        putOptional(node, "tokens_per_month", q.tokensPerMonth().orElse(null));
        putOptional(node, "requests_per_minute", q.requestsPerMinute().orElse(null));
        return node;
    }

    static ObjectNode settings(TenantSettings s) {
        ObjectNode node = Json.object();
        node.put("system_prompt", s.systemPrompt());
        node.put("mode", s.mode());
        ObjectNode assistant = node.putObject("assistant");
        assistant.put("provider", s.assistant().provider());
        assistant.put("model", s.assistant().model().orElse(null));
        s.assistant().thinkingBudgetTokens().ifPresentOrElse(b -> assistant.put("thinking_budget_tokens", b),
                () -> assistant.putNull("thinking_budget_tokens"));
        ObjectNode aliases = assistant.putObject("model_aliases");
        new java.util.TreeMap<>(s.assistant().aliases()).forEach(aliases::put);
        ArrayNode origins = node.putArray("allowed_origins");
        s.allowedOrigins().forEach(origins::add);
        node.put("approval_policy", s.approvalPolicy().wire());
        ObjectNode prompts = node.putObject("mode_prompts");
        s.modePrompts().forEach(prompts::put);
        ObjectNode workspace = node.putObject("workspace").put("enabled", s.workspace().enabled());
        ArrayNode hosts = workspace.putArray("hosts");
        s.workspace().hosts().forEach(hosts::add);
        return node;
    }

    static ObjectNode apiKey(ApiKey k, Instant now) {
        ObjectNode node = Json.object();
        node.put("id", k.id());
        node.put("tenant_id", k.tenantId());
        node.put("name", k.name());
        ArrayNode scopes = node.putArray("scopes");
        k.scopes().stream().sorted().map(Scope::wire).forEach(scopes::add);
        node.put("status", k.status(now));
        node.put("hint", "…" + k.hint());
        Json.putTime(node, "expires_at", k.expiresAt());
        Json.putTime(node, "revoked_at", k.revokedAt());
        Json.putTime(node, "rotated_at", k.rotatedAt());
        Json.putTime(node, "previous_secret_expires_at", k.previousSecretExpiresAt());
        node.put("created_at", Json.time(k.createdAt()));
        return node;
    }

    /** A key with its full secret: answered once, on creation or rotation, and never again. */
    static ObjectNode issued(IssuedKey issued, Instant now) {
        ObjectNode node = apiKey(issued.key(), now);
        node.put("key", issued.secret());
        return node;
    }

    static ObjectNode audit(AuditEntry e) {
        ObjectNode node = Json.object();
        node.put("id", e.id());
        node.put("occurred_at", Json.time(e.occurredAt()));
        node.put("actor", e.actor());
        node.put("tenant_id", e.tenantId().orElse(null));
        node.put("action", e.action());
        node.put("target_id", e.targetId().orElse(null));
        node.put("request_id", e.requestId().orElse(null));
        node.set("details", Json.MAPPER.valueToTree(e.details()));
        return node;
    }

    /** A whole list (no paging) as {@code {"data": [...]}}. */
    static <T> ObjectNode list(Iterable<T> items, Function<T, JsonNode> view) {
        ObjectNode node = Json.object();
        ArrayNode data = node.putArray("data");
        items.forEach(item -> data.add(view.apply(item)));
        return node;
    }

    static <T> ObjectNode page(Page<T> page, Function<T, JsonNode> view) {
        ObjectNode node = Json.object();
        ArrayNode data = node.putArray("data");
        page.data().forEach(item -> data.add(view.apply(item)));
        node.put("next_cursor", page.nextCursor().orElse(null));
        return node;
    }

    private static void putOptional(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
