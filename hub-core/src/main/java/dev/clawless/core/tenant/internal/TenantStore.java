package dev.clawless.core.tenant.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.JsonMappers;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.ApprovalPolicy;
import dev.clawless.core.tenant.AssistantSettings;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantSettings;
import dev.clawless.core.tenant.TenantStatus;

/**
 * JDBC access to {@code tenants}. Settings are stored as a JSON document so that new settings need no migration.
 */
public final class TenantStore {
    // Nullable non-text parameters are written CAST(? AS …): Helidon binds a null as a string, which PostgreSQL
    // refuses for other column types.

    static final String COLUMNS = "t.id, t.name, t.plan, t.status, t.quota_messages_per_month, "
            + "t.quota_tokens_per_month, t.quota_requests_per_minute, t.settings, t.created_at, t.updated_at";
    static final int COLUMN_COUNT = 10;

    private static final ObjectMapper JSON = JsonMappers.create();

    public void insert(DbExecute tx, Tenant t) {
        tx.createInsert("INSERT INTO tenants (id, name, plan, status, quota_messages_per_month, quota_tokens_per_month,"
                        + " quota_requests_per_minute, settings, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?)")
                .params(t.id(), t.name(), t.plan(), t.status().wire(),
                        t.overrides().messagesPerMonth().orElse(null), t.overrides().tokensPerMonth().orElse(null),
                        t.overrides().requestsPerMinute().orElse(null), settingsJson(t.settings()),
                        Database.timestamp(t.createdAt()), Database.timestamp(t.updatedAt()))
                .execute();
    }

    public void update(DbExecute tx, Tenant t) {
        tx.createUpdate("UPDATE tenants SET name = ?, plan = ?, status = ?, quota_messages_per_month = CAST(? AS BIGINT),"
                        + " quota_tokens_per_month = CAST(? AS BIGINT), quota_requests_per_minute = CAST(? AS BIGINT),"
                        + " settings = ?, updated_at = ?"
                        + " WHERE id = ?")
                .params(t.name(), t.plan(), t.status().wire(), t.overrides().messagesPerMonth().orElse(null),
                        t.overrides().tokensPerMonth().orElse(null), t.overrides().requestsPerMinute().orElse(null),
                        settingsJson(t.settings()), Database.timestamp(t.updatedAt()), t.id())
                .execute();
    }

    /** Reads a tenant, locking its row for the rest of the transaction when {@code forUpdate}. */
    public Optional<Tenant> find(DbExecute exec, String id, boolean forUpdate) {
        return exec.createGet("SELECT " + COLUMNS + " FROM tenants t WHERE t.id = ?" + (forUpdate ? " FOR UPDATE" : ""))
                .params(id)
                .execute()
                .map(row -> read(row, 0));
    }

    public boolean delete(DbExecute tx, String id) {
        return tx.createDelete("DELETE FROM tenants WHERE id = ?").params(id).execute() > 0;
    }

    public Page<Tenant> list(DbExecute exec, Optional<TenantStatus> status, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM tenants t WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        status.ifPresent(s -> {
            sql.append(" AND t.status = ?");
            params.add(s.wire());
        });
        page.cursor().ifPresent(c -> {
            sql.append(" AND t.id > ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY t.id LIMIT ").append(page.limit() + 1);
        List<Tenant> rows = exec.createQuery(sql.toString()).params(params).execute().map(r -> read(r, 0)).toList();
        return Page.of(rows, page.limit(), t -> Cursors.encode(t.id()));
    }

    /** Reads the tenant columns starting after column {@code offset} (1-based columns). */
    static Tenant read(DbRow row, int offset) {
        return new Tenant(
                row.column(offset + 1).get(String.class),
                row.column(offset + 2).get(String.class),
                row.column(offset + 3).get(String.class),
                TenantStatus.fromWire(row.column(offset + 4).get(String.class)).orElseThrow(),
                new QuotaOverrides(Database.optionalLong(row.column(offset + 5)),
                        Database.optionalLong(row.column(offset + 6)),
                        Database.optionalLong(row.column(offset + 7))),
                settings(row.column(offset + 8).get(String.class)),
                Database.instant(row.column(offset + 9)).orElseThrow(),
                Database.instant(row.column(offset + 10)).orElseThrow());
    }

    static String settingsJson(TenantSettings s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("system_prompt", s.systemPrompt());
        node.put("mode", s.mode());
        ObjectNode assistant = node.putObject("assistant");
        assistant.put("provider", s.assistant().provider());
        s.assistant().model().ifPresent(m -> assistant.put("model", m));
        s.assistant().thinkingBudgetTokens().ifPresent(b -> assistant.put("thinking_budget_tokens", b));
        if (!s.assistant().aliases().isEmpty()) {
            ObjectNode aliases = assistant.putObject("model_aliases");
            new java.util.TreeMap<>(s.assistant().aliases()).forEach(aliases::put);
        }
        s.allowedOrigins().forEach(node.putArray("allowed_origins")::add);
        if (s.allowedOrigins().isEmpty()) {
            node.putArray("allowed_origins");
        }
        node.put("approval_policy", s.approvalPolicy().wire());
        ObjectNode prompts = node.putObject("mode_prompts");
        s.modePrompts().forEach(prompts::put);
        ObjectNode workspace = node.putObject("workspace").put("enabled", s.workspace().enabled());
        s.workspace().hosts().forEach(workspace.putArray("hosts")::add);
        if (s.workspace().hosts().isEmpty()) {
            workspace.putArray("hosts");
        }
        return node.toString();
    }

    static TenantSettings settings(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("tenants.settings is not JSON", e);
        }
        TenantSettings d = TenantSettings.DEFAULT;
        JsonNode assistant = node.path("assistant");
        List<String> origins = new ArrayList<>();
        node.path("allowed_origins").forEach(o -> origins.add(o.asText()));
        return new TenantSettings(
                node.path("system_prompt").asText(d.systemPrompt()),
                node.path("mode").asText(d.mode()),
                assistant.isObject()
                        ? new AssistantSettings(assistant.path("provider").asText(d.assistant().provider()),
                        assistant.hasNonNull("model") ? Optional.of(assistant.get("model").asText()) : Optional.empty(),
                        stringMap(assistant.path("model_aliases")),
                        assistant.hasNonNull("thinking_budget_tokens")
                                ? Optional.of(assistant.get("thinking_budget_tokens").asInt()) : Optional.empty())
                        : d.assistant(),
                origins,
                ApprovalPolicy.fromWire(node.path("approval_policy").asText()).orElse(d.approvalPolicy()),
                stringMap(node.path("mode_prompts")), workspace(node.path("workspace")));
    }

    private static dev.clawless.core.tenant.WorkspaceSettings workspace(JsonNode node) {
        if (!node.isObject()) {
            return dev.clawless.core.tenant.WorkspaceSettings.OFF;
        }
        List<String> hosts = new ArrayList<>();
        node.path("hosts").forEach(h -> hosts.add(h.asText()));
        return new dev.clawless.core.tenant.WorkspaceSettings(node.path("enabled").asBoolean(false), hosts);
    }

    private static java.util.Map<String, String> stringMap(JsonNode node) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (node.isObject()) {
            node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** Current time as stored (microsecond precision on both engines). */
    public static Instant truncate(Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }
}
