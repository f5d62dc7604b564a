package dev.clawless.core.inbox;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Texts;
import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/** Canned responses: texts operators insert by typing {@code /shortcut}. Thread-safe. */
public final class CannedResponses {

    private static final Pattern SHORTCUT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    public static final int MAX = 500;

    private final Database database;
    private final AuditLog audit;
    private final Clock clock;
    private final Ids ids;

    public CannedResponses(Database database, AuditLog audit, Clock clock, Ids ids) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    public record Canned(String id, String shortcut, String text, Instant createdAt, Instant updatedAt) {
    }

    /** The tenant's canned responses, by shortcut; {@code query} matches shortcuts first, then texts. */
    public List<Canned> list(String tenantId, Optional<String> query) {
        StringBuilder sql = new StringBuilder("SELECT id, shortcut, text, created_at, updated_at FROM canned_responses"
                + " WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(tenantId);
        query.map(q -> q.strip().replaceFirst("^/", "").toLowerCase(Locale.ROOT)).filter(q -> !q.isEmpty())
                .ifPresent(q -> {
                    sql.append(" AND (shortcut LIKE ? ESCAPE '!' OR LOWER(text) LIKE ? ESCAPE '!')");
                    params.add(Contacts.escapeLike(q) + "%");
                    params.add("%" + Contacts.escapeLike(q) + "%");
                });
        sql.append(" ORDER BY shortcut LIMIT ").append(MAX);
        return database.execute().createQuery(sql.toString()).params(params).execute()
                .map(CannedResponses::canned).toList();
    }

    public Canned create(Actor actor, String tenantId, String shortcut, String text) {
        check(Optional.of(shortcut), Optional.of(text));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Canned c = new Canned(ids.next("cnd"), shortcut, text, now, now);
        database.inTransaction(tx -> {
            long n = tx.createGet("SELECT COUNT(*) FROM canned_responses WHERE tenant_id = ?").params(tenantId)
                    .execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
            if (n >= MAX) {
                throw new ClawlessException.Conflict("a tenant may have at most " + MAX + " canned responses");
            }
            if (tx.createInsert("INSERT INTO canned_responses (id, tenant_id, shortcut, text, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(c.id(), tenantId, shortcut, text, Database.timestamp(now), Database.timestamp(now))
                    .execute() == 0) {
                throw new ClawlessException.Conflict("the shortcut /" + shortcut + " is taken");
            }
            audit.record(tx, actor, Optional.of(tenantId), "canned_response.created", Optional.of(c.id()),
                    Map.of("shortcut", shortcut));
            return null;
        });
        return c;
    }

    public Canned update(Actor actor, String tenantId, String id, Optional<String> shortcut, Optional<String> text) {
        Canned before = get(tenantId, id);
        check(shortcut, text);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            try {
                tx.createUpdate("UPDATE canned_responses SET shortcut = ?, text = ?, updated_at = ? WHERE tenant_id = ?"
                                + " AND id = ?")
                        .params(shortcut.orElse(before.shortcut()), text.orElse(before.text()), Database.timestamp(now),
                                tenantId, id)
                        .execute();
            } catch (RuntimeException e) {
                throw new ClawlessException.Conflict("the shortcut /" + shortcut.orElse("") + " is taken");
            }
            audit.record(tx, actor, Optional.of(tenantId), "canned_response.updated", Optional.of(id), Map.of());
            return null;
        });
        return get(tenantId, id);
    }

    public void delete(Actor actor, String tenantId, String id) {
        database.inTransaction(tx -> {
            if (tx.createDelete("DELETE FROM canned_responses WHERE tenant_id = ? AND id = ?").params(tenantId, id)
                    .execute() == 0) {
                throw new ClawlessException.NotFound("no canned response " + id);
            }
            audit.record(tx, actor, Optional.of(tenantId), "canned_response.deleted", Optional.of(id), Map.of());
            return null;
        });
    }

    public Canned get(String tenantId, String id) {
        return database.execute().createGet("SELECT id, shortcut, text, created_at, updated_at FROM canned_responses"
                        + " WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(CannedResponses::canned)
                .orElseThrow(() -> new ClawlessException.NotFound("no canned response " + id));
    }

    private static void check(Optional<String> shortcut, Optional<String> text) {
        List<FieldError> errors = new ArrayList<>();
        shortcut.filter(s -> !SHORTCUT.matcher(s).matches()).ifPresent(s -> errors.add(new FieldError("shortcut",
                "must be 1-40 of a-z, 0-9, '_' and '-', starting with a letter or digit")));
        text.filter(t -> !Texts.hasContent(t) || t.length() > 5000).ifPresent(t -> errors.add(new FieldError("text",
                "must be 1-5000 characters")));
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
    }

    private static Canned canned(DbRow r) {
        return new Canned(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                Database.instant(r.column(4)).orElseThrow(), Database.instant(r.column(5)).orElseThrow());
    }
}
