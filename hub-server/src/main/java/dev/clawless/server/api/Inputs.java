package dev.clawless.server.api;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.tenant.ApprovalPolicy;
import dev.clawless.core.tenant.AssistantPatch;
import dev.clawless.core.tenant.AssistantSettings;
import dev.clawless.core.tenant.NewApiKey;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.WorkspaceSettings;
import dev.clawless.core.tenant.TenantStatus;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;

/** Request shapes shared by the admin and tenant routes, read with every field error collected. */
final class Inputs {

    static final Set<String> SETTINGS_FIELDS = Set.of("system_prompt", "mode", "assistant", "allowed_origins",
            "approval_policy", "mode_prompts", "workspace");
    static final Set<String> QUOTA_FIELDS = Set.of("messages_per_month", "tokens_per_month", "requests_per_minute");
    static final Set<String> KEY_FIELDS = Set.of("name", "scopes", "expires_at");
    private static final List<String> SCOPES = Scope.all().stream().map(Scope::wire).toList();

    private Inputs() {
    }

    static SettingsPatch settings(JsonInput in) {
        return in.object("settings", SETTINGS_FIELDS).map(s -> new SettingsPatch(
                s.string("system_prompt", 20_000),
                s.string("mode", 40),
                s.object("assistant", Set.of("provider", "model", "model_aliases", "thinking_budget_tokens"))
                        .map(a -> new AssistantPatch(
                        a.choice("provider", AssistantSettings.PROVIDERS, Optional::of),
                        a.string("model", 200), a.isNull("model"), stringMap(a, "model_aliases"),
                        a.integer("thinking_budget_tokens", 0, AssistantSettings.MAX_THINKING).map(Long::intValue),
                        a.isNull("thinking_budget_tokens"))),
                s.strings("allowed_origins", 50, 300),
                s.choice("approval_policy", List.of("mutating", "always", "never"), ApprovalPolicy::fromWire),
                modePrompts(s),
                s.object("workspace", Set.of("enabled", "hosts")).map(w -> new WorkspaceSettings(
                        w.bool("enabled").orElse(false), w.strings("hosts", 50, 253).orElse(List.of())))))
                .orElse(SettingsPatch.NONE);
    }

    /** {@code mode_prompts}: an object of mode name to prompt text; replaces the stored map when given. */
    private static Optional<java.util.Map<String, String>> modePrompts(JsonInput in) {
        return stringMap(in, "mode_prompts");
    }

    /** An object of strings (mode prompts, model aliases); replaces the stored map when given. */
    private static Optional<java.util.Map<String, String>> stringMap(JsonInput in, String field) {
        return in.node(field).map(node -> {
            java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
            if (!node.isObject()) {
                in.error(field, "must be an object of names to strings");
                return out;
            }
            node.properties().forEach(e -> {
                if (!e.getValue().isTextual()) {
                    in.error(field + "." + e.getKey(), "must be a string");
                } else {
                    out.put(e.getKey(), e.getValue().textValue());
                }
            });
            return out;
        });
    }

    /** Quota overrides: a missing or null field means the plan's value. */
    static Optional<QuotaOverrides> quotas(JsonInput in) {
        return in.object("quotas", QUOTA_FIELDS).map(q -> new QuotaOverrides(
                q.integer("messages_per_month", -1, Long.MAX_VALUE),
                q.integer("tokens_per_month", -1, Long.MAX_VALUE),
                q.integer("requests_per_minute", -1, Long.MAX_VALUE)));
    }

    static Optional<TenantStatus> status(JsonInput in) {
        return in.choice("status", List.of("active", "suspended"), TenantStatus::fromWire);
    }

    static NewApiKey newKey(JsonInput in) {
        String name = in.requiredString("name", 200);
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (!in.has("scopes")) {
            in.error("scopes", "is required: one or more of " + SCOPES);
        }
        in.strings("scopes", SCOPES.size(), 40).ifPresent(list -> {
            for (int i = 0; i < list.size(); i++) {
                Optional<Scope> scope = Scope.fromWire(list.get(i));
                if (scope.isEmpty()) {
                    in.error("scopes[" + i + "]", "unknown scope '" + list.get(i) + "'; one of " + SCOPES);
                } else {
                    scopes.add(scope.get());
                }
            }
        });
        return new NewApiKey(name, scopes, in.timestamp("expires_at"));
    }

    /** {@code ?limit=&cursor=} of a list route. */
    static PageRequest page(ServerRequest req) {
        Optional<String> limit = query(req, "limit");
        int n = PageRequest.DEFAULT_LIMIT;
        if (limit.isPresent()) {
            try {
                n = Integer.parseInt(limit.get());
            } catch (NumberFormatException e) {
                throw ClawlessException.Validation.of("limit", "must be between 1 and " + PageRequest.MAX_LIMIT);
            }
        }
        return new PageRequest(n, query(req, "cursor"));
    }

    /**
     * An id from the path or body that must have the shape of a {@code prefix} id; anything else cannot exist, so it
     * answers 404 ({@code no <what> <id>}) without a database lookup.
     */
    static String id(String value, String prefix, String what) {
        if (!Ids.looksLike(prefix, value)) {
            throw new ClawlessException.NotFound("no " + what + " " + printable(value));
        }
        return value;
    }

    /** The path parameter {@code id} as a {@code prefix} id (see {@link #id(String, String, String)}). */
    static String pathId(ServerRequest req, String prefix, String what) {
        return id(req.path().pathParameters().get("id"), prefix, what);
    }

    /** A caller-given value made safe to echo: printable ASCII, at most 60 characters. */
    static String printable(String value) {
        String p = value.replaceAll("[^\\x21-\\x7e]", "?");
        return p.length() <= 60 ? p : p.substring(0, 60) + "…";
    }

    /** A query parameter, {@link dev.clawless.core.common.Texts#clean storable}; empty when absent or empty. */
    static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(v -> !v.isEmpty())
                .map(dev.clawless.core.common.Texts::clean);
    }

    /** An optional object field: empty when absent or null, an error when not an object. */
    static ObjectNode objectField(JsonInput in, String field) {
        Optional<JsonNode> node = in.node(field);
        if (node.isEmpty() || node.get().isNull()) {
            return Json.object();
        }
        if (!node.get().isObject()) {
            in.error(field, "must be an object");
            return Json.object();
        }
        return (ObjectNode) node.get();
    }

    /** The {@code secrets} object: string values to set, {@code null} to remove; at most {@code max} entries. */
    static Map<String, Optional<String>> secrets(JsonInput in, int max) {
        Map<String, Optional<String>> out = new LinkedHashMap<>();
        Optional<JsonNode> node = in.node("secrets");
        if (node.isEmpty() || node.get().isNull()) {
            return out;
        }
        if (!node.get().isObject() || node.get().size() > max) {
            in.error("secrets", "must be an object of at most " + max + " strings");
            return out;
        }
        node.get().fields().forEachRemaining(f -> {
            String key = Inputs.printable(f.getKey());
            if (f.getValue().isNull()) {
                out.put(f.getKey(), Optional.empty());
            } else if (!f.getValue().isTextual()) {
                in.error("secrets." + key, "must be a string");
            } else {
                out.put(f.getKey(), Optional.of(f.getValue().asText()));
            }
        });
        return out;
    }
}
