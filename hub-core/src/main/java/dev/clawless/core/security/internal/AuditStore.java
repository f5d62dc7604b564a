package dev.clawless.core.security.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditEntry;
import dev.clawless.core.store.Database;

/**
 * JDBC access to {@code audit_log}: insert and select only.
 */
public final class AuditStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS =
            "id, occurred_at, actor, tenant_id, action, target_id, request_id, details";

    public void append(DbExecute tx, Instant at, Actor actor, Optional<String> tenantId, String action,
                       Optional<String> targetId, Map<String, ?> details) {
        String json;
        try {
            json = JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain JSON values", e);
        }
        tx.createInsert("INSERT INTO audit_log (occurred_at, actor, tenant_id, action, target_id, request_id, details)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(Database.timestamp(at), actor.id(), tenantId.orElse(null), action, targetId.orElse(null),
                        actor.requestId(), json)
                .execute();
    }

    public Page<AuditEntry> list(DbExecute exec, Optional<String> tenantId, Optional<String> action,
                                 PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        tenantId.ifPresent(t -> {
            sql.append(" AND tenant_id = ?");
            params.add(t);
        });
        action.ifPresent(a -> {
            sql.append(" AND action = ?");
            params.add(a);
        });
        page.cursor().ifPresent(c -> {
            sql.append(" AND id < ?");
            params.add(Cursors.decodeLong(c));
        });
        sql.append(" ORDER BY id DESC LIMIT ").append(page.limit() + 1);
        List<AuditEntry> rows = exec.createQuery(sql.toString()).params(params).execute()
                .map(AuditStore::entry).toList();
        return Page.of(rows, page.limit(), e -> Cursors.encode(Long.toString(e.id())));
    }

    /** The newest entry's id, 0 when there is none. */
    public long newestId(DbExecute exec) {
        return exec.createGet("SELECT MAX(id) FROM audit_log").execute()
                .flatMap(r -> Database.optionalLong(r.column(1))).orElse(0L);
    }

    /** One entry in short: what was done to what, for readers that only route it. */
    public record Brief(long id, Optional<String> tenantId, String action, Optional<String> targetId) {
    }

    /**
     * Entries after {@code id} and those of {@code ids}, in id order, at most {@code limit}; the details are not read.
     */
    public List<Brief> after(DbExecute exec, long id, Collection<Long> ids, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, tenant_id, action, target_id FROM audit_log WHERE id > ?");
        List<Object> params = new ArrayList<>();
        params.add(id);
        if (!ids.isEmpty()) {
            sql.append(" OR id IN (").append("?, ".repeat(ids.size() - 1)).append("?)");
            params.addAll(ids);
        }
        sql.append(" ORDER BY id LIMIT ").append(limit);
        return exec.createQuery(sql.toString()).params(params).execute().map(r -> new Brief(
                ((Number) r.column(1).get(Object.class)).longValue(), Database.optionalString(r.column(2)),
                r.column(3).get(String.class), Database.optionalString(r.column(4)))).toList();
    }

    private static AuditEntry entry(DbRow row) {
        Map<String, Object> details;
        try {
            details = JSON.readValue(row.column(8).get(String.class), new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log.details is not JSON", e);
        }
        return new AuditEntry(
                row.column(1).get(Long.class),
                Database.instant(row.column(2)).orElseThrow(),
                row.column(3).get(String.class),
                Database.optionalString(row.column(4)),
                row.column(5).get(String.class),
                Database.optionalString(row.column(6)),
                Database.optionalString(row.column(7)),
                details);
    }
}
