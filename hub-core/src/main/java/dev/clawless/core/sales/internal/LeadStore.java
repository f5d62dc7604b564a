package dev.clawless.core.sales.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.sales.Funnel;
import dev.clawless.core.sales.Lead;
import dev.clawless.core.store.Database;

/** JDBC access to lead forms, leads and CRM links. */
public final class LeadStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, tenant_id, conversation_id, contact_id, answers, intents, score, asking,"
            + " offered_at, qualified_at, transferred_at, transferred_to, push_status, push_attempts, push_error,"
            + " pushed_at, last_message_id, last_answered, created_at, updated_at";

    public Optional<String> form(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT form FROM lead_forms WHERE tenant_id = ?").params(tenantId).execute()
                .map(r -> r.column(1).get(String.class));
    }

    public void saveForm(DbExecute tx, String tenantId, String form, Instant now) {
        long updated = tx.createUpdate("UPDATE lead_forms SET form = ?, updated_at = ? WHERE tenant_id = ?")
                .params(form, Database.timestamp(now), tenantId).execute();
        if (updated == 0) {
            tx.createInsert("INSERT INTO lead_forms (tenant_id, form, updated_at) VALUES (?, ?, ?)")
                    .params(tenantId, form, Database.timestamp(now)).execute();
        }
    }

    /**
     * The conversation's lead — the one it started, or the one of the conversation it was transferred from — its row
     * locked until the transaction ends.
     */
    public Optional<Lead> lockByConversation(DbExecute tx, String tenantId, String conversationId) {
        return tx.createQuery("SELECT " + COLUMNS + " FROM leads WHERE tenant_id = ? AND (conversation_id = ? OR"
                        + " transferred_to = ?) ORDER BY created_at LIMIT 1 FOR UPDATE")
                .params(tenantId, conversationId, conversationId).execute().map(LeadStore::lead).findFirst();
    }

    /** The conversation's lead: the one it started, or the one of the conversation it was transferred from. */
    public Optional<Lead> byConversation(DbExecute exec, String tenantId, String conversationId) {
        return exec.createQuery("SELECT " + COLUMNS + " FROM leads WHERE tenant_id = ? AND (conversation_id = ? OR"
                        + " transferred_to = ?) ORDER BY created_at LIMIT 1")
                .params(tenantId, conversationId, conversationId).execute().map(LeadStore::lead).findFirst();
    }

    public Optional<Lead> get(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + COLUMNS + " FROM leads WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(LeadStore::lead);
    }

    /** The lead, its row locked until the transaction ends. */
    public Optional<Lead> lock(DbExecute tx, String tenantId, String id) {
        return tx.createGet("SELECT " + COLUMNS + " FROM leads WHERE tenant_id = ? AND id = ? FOR UPDATE")
                .params(tenantId, id).execute().map(LeadStore::lead);
    }

    /** The tenant's leads, newest first (at most {@code limit}). */
    public List<Lead> list(DbExecute exec, String tenantId, boolean qualifiedOnly, int limit) {
        return exec.createQuery("SELECT " + COLUMNS + " FROM leads WHERE tenant_id = ?"
                        + (qualifiedOnly ? " AND qualified_at IS NOT NULL" : "") + " ORDER BY created_at DESC, id DESC"
                        + " LIMIT " + limit)
                .params(tenantId).execute().map(LeadStore::lead).toList();
    }

    /** True when it was inserted (no other lead of the conversation). */
    public boolean insert(DbExecute tx, Lead l) {
        return tx.createInsert("INSERT INTO leads (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(l.id(), l.tenantId(), l.conversationId(), l.contactId(), json(l.answers()), json(l.intents()),
                        l.score(), l.asking().orElse(null), Database.timestamp(l.offeredAt()),
                        Database.timestamp(l.qualifiedAt()), Database.timestamp(l.transferredAt()),
                        l.transferredTo().orElse(null), l.pushStatus(), l.pushAttempts(), l.pushError().orElse(null),
                        Database.timestamp(l.pushedAt()), l.lastMessageId().orElse(null), l.lastAnswered(),
                        Database.timestamp(l.createdAt()), Database.timestamp(l.updatedAt()))
                .execute() == 1;
    }

    /** Writes what a turn made of the lead (its row locked by the caller); the push's columns stay the push's. */
    public void update(DbExecute tx, Lead l) {
        tx.createUpdate("UPDATE leads SET answers = ?, intents = ?, score = ?, asking = ?, offered_at = ?,"
                        + " qualified_at = ?, transferred_at = ?, transferred_to = ?, last_message_id = ?,"
                        + " last_answered = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
                .params(json(l.answers()), json(l.intents()), l.score(), l.asking().orElse(null),
                        Database.timestamp(l.offeredAt()), Database.timestamp(l.qualifiedAt()),
                        Database.timestamp(l.transferredAt()), l.transferredTo().orElse(null),
                        l.lastMessageId().orElse(null), l.lastAnswered(), Database.timestamp(l.updatedAt()),
                        l.tenantId(), l.id())
                .execute();
    }

    /**
     * Queues a push unless one is queued or retrying: true when this call queued it (two requests at once queue
     * one).
     */
    public boolean queuePush(DbExecute tx, String tenantId, String id, Instant now) {
        return tx.createUpdate("UPDATE leads SET push_status = 'queued', push_attempts = 0, push_error = NULL,"
                        + " updated_at = ? WHERE tenant_id = ? AND id = ? AND push_status NOT IN ('queued', 'retrying')")
                .params(Database.timestamp(now), tenantId, id).execute() == 1;
    }

    /**
     * Records a push attempt's outcome, unless a later attempt already recorded one (a run whose lease ended and
     * another worker took over) or the lead is pushed already: true when it was recorded.
     */
    public boolean recordPush(DbExecute tx, String tenantId, String id, String status, int attempt,
                              Optional<String> error, Instant now) {
        return tx.createUpdate("UPDATE leads SET push_status = ?, push_attempts = ?, push_error = ?,"
                        + " pushed_at = CASE WHEN ? = 'pushed' THEN ? ELSE pushed_at END, updated_at = ?"
                        + " WHERE tenant_id = ? AND id = ? AND push_attempts <= ? AND push_status <> 'pushed'")
                .params(status, attempt, error.orElse(null), status, Database.timestamp(now), Database.timestamp(now),
                        tenantId, id, attempt)
                .execute() == 1;
    }

    /** Moves a merged contact's leads and CRM links to the contact it was merged into. */
    public void moveContact(DbExecute tx, String tenantId, String from, String to) {
        tx.createUpdate("UPDATE leads SET contact_id = ? WHERE tenant_id = ? AND contact_id = ?")
                .params(to, tenantId, from).execute();
        tx.createUpdate("UPDATE crm_links SET contact_id = ? WHERE tenant_id = ? AND contact_id = ? AND NOT EXISTS"
                        + " (SELECT 1 FROM crm_links k WHERE k.tenant_id = crm_links.tenant_id AND k.contact_id = ?"
                        + " AND k.crm = crm_links.crm AND k.object_type = crm_links.object_type"
                        + " AND k.record_id = crm_links.record_id)")
                .params(to, tenantId, from, to).execute();
        tx.createDelete("DELETE FROM crm_links WHERE tenant_id = ? AND contact_id = ?").params(tenantId, from)
                .execute();
    }

    public void link(DbExecute tx, String tenantId, String contactId, Lead.CrmRecord r) {
        tx.createInsert("INSERT INTO crm_links (tenant_id, contact_id, crm, object_type, record_id, url, linked_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(tenantId, contactId, r.crm(), r.objectType(), r.recordId(), r.url().orElse(null),
                        Database.timestamp(r.linkedAt()))
                .execute();
    }

    public List<Lead.CrmRecord> links(DbExecute exec, String tenantId, String contactId) {
        return exec.createQuery("SELECT crm, object_type, record_id, url, linked_at FROM crm_links WHERE tenant_id = ?"
                        + " AND contact_id = ? ORDER BY linked_at, crm, object_type, record_id LIMIT 100")
                .params(tenantId, contactId).execute()
                .map(r -> new Lead.CrmRecord(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), Database.optionalString(r.column(4)),
                        Database.instant(r.column(5)).orElseThrow()))
                .toList();
    }

    /** Conversations started, leads made, qualified, transferred and pushed in {@code [from, to)}. */
    public Funnel funnel(DbExecute exec, String tenantId, Instant from, Instant to) {
        // a conversation a lead moved to (WhatsApp) is the same visitor: not counted again
        long conversations = count(exec, "SELECT COUNT(*) FROM conversations c WHERE c.tenant_id = ? AND"
                + " c.created_at >= ? AND c.created_at < ? AND NOT EXISTS (SELECT 1 FROM leads l WHERE"
                + " l.tenant_id = c.tenant_id AND l.transferred_to = c.id)", tenantId, from, to);
        List<Long> counts = exec.createGet("SELECT COUNT(*), COUNT(qualified_at), COUNT(transferred_at),"
                        + " COUNT(pushed_at) FROM leads WHERE tenant_id = ? AND created_at >= ? AND created_at < ?"
                        + " AND answers <> '{}'")
                .params(tenantId, Database.timestamp(from), Database.timestamp(to)).execute()
                .map(r -> List.of(n(r, 1), n(r, 2), n(r, 3), n(r, 4))).orElse(List.of(0L, 0L, 0L, 0L));
        return new Funnel(conversations, counts.get(0), counts.get(1), counts.get(2), counts.get(3));
    }

    private static long count(DbExecute exec, String sql, String tenantId, Instant from, Instant to) {
        return exec.createGet(sql).params(tenantId, Database.timestamp(from), Database.timestamp(to)).execute()
                .map(r -> n(r, 1)).orElse(0L);
    }

    private static long n(DbRow r, int column) {
        return ((Number) r.column(column).get(Object.class)).longValue();
    }

    private static Lead lead(DbRow r) {
        return new Lead(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), map(r.column(5).get(String.class)), list(r.column(6).get(String.class)),
                (int) n(r, 7), Database.optionalString(r.column(8)), Database.instant(r.column(9)),
                Database.instant(r.column(10)), Database.instant(r.column(11)), Database.optionalString(r.column(12)),
                r.column(13).get(String.class), (int) n(r, 14), Database.optionalString(r.column(15)),
                Database.instant(r.column(16)), Database.optionalString(r.column(17)), bool(r, 18),
                Database.instant(r.column(19)).orElseThrow(), Database.instant(r.column(20)).orElseThrow(), List.of());
    }

    private static boolean bool(DbRow r, int column) {
        Object v = r.column(column).get(Object.class);
        return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> list(String json) {
        try {
            return JSON.readValue(json, new TypeReference<ArrayList<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
