package dev.clawless.core.inbox.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.store.Database;

/**
 * JDBC access to the inbox's tables, and the reads the inbox makes of conversations, messages and contacts to list
 * and search them (read only: those tables belong to the conversation module).
 */
public final class InboxStore {

    /** Who has a conversation and since when it waits. */
    public record State(String conversationId, Optional<String> assigneeId, Optional<String> teamId,
                        Optional<Instant> waitingSince, Optional<Instant> csatRequestedAt) {
        public static State empty(String conversationId) {
            return new State(conversationId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** One row of the inbox list, before labels, last messages and unread counts are added. */
    public record Row(String conversationId, Optional<String> contactId, Optional<String> contactName,
                      Optional<String> assigneeId, Optional<String> assigneeName, Optional<String> teamId,
                      Optional<Instant> waitingSince, Instant activity) {
    }

    /** The latest message of a conversation. */
    public record Last(String role, String text, Instant createdAt) {
    }

    /** A connection's hand-off routing. */
    public record Routing(boolean autoAssign, Optional<String> teamId) {
    }

    // ---------------------------------------------------------------------------------------------- state

    public State state(DbExecute exec, String conversationId) {
        return exec.createGet("SELECT conversation_id, assignee_user_id, team_id, waiting_since, csat_requested_at"
                        + " FROM inbox_conversations WHERE conversation_id = ?")
                .params(conversationId).execute()
                .map(r -> new State(r.column(1).get(String.class), Database.optionalString(r.column(2)),
                        Database.optionalString(r.column(3)), Database.instant(r.column(4)),
                        Database.instant(r.column(5))))
                .orElseGet(() -> State.empty(conversationId));
    }

    /**
     * The conversation's inbox state, its row locked until the transaction ends (made first when there is none):
     * changes to one conversation's inbox state happen one after another.
     */
    public State lock(DbExecute tx, String tenantId, String conversationId, Instant now) {
        tx.createInsert("INSERT INTO inbox_conversations (conversation_id, tenant_id, updated_at) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING").params(conversationId, tenantId, Database.timestamp(now)).execute();
        return tx.createGet("SELECT conversation_id, assignee_user_id, team_id, waiting_since, csat_requested_at"
                        + " FROM inbox_conversations WHERE conversation_id = ? FOR UPDATE")
                .params(conversationId).execute()
                .map(r -> new State(r.column(1).get(String.class), Database.optionalString(r.column(2)),
                        Database.optionalString(r.column(3)), Database.instant(r.column(4)),
                        Database.instant(r.column(5))))
                .orElseThrow();
    }

    /** Until the transaction ends, one choice of who gets the tenant's conversations at a time. */
    public void lockTenant(DbExecute tx, String tenantId) {
        dev.clawless.core.store.TenantLocks.lock(tx, tenantId, "assignment");
    }

    /** Saves a state read with {@link #lock} in the same transaction. */
    public void save(DbExecute tx, String tenantId, State s, Instant now) {
        long updated = tx.createUpdate("UPDATE inbox_conversations SET assignee_user_id = ?, team_id = ?,"
                        + " waiting_since = CAST(? AS TIMESTAMP WITH TIME ZONE),"
                        + " csat_requested_at = CAST(? AS TIMESTAMP WITH TIME ZONE), updated_at = ?"
                        + " WHERE conversation_id = ? AND tenant_id = ?")
                .params(s.assigneeId().orElse(null), s.teamId().orElse(null), Database.timestamp(s.waitingSince()),
                        Database.timestamp(s.csatRequestedAt()), Database.timestamp(now), s.conversationId(),
                        tenantId)
                .execute();
        if (updated != 1) {
            throw new IllegalStateException("inbox state of " + s.conversationId() + " saved without being locked");
        }
    }

    /** Puts a removed member's conversations back in the queue; answers their ids. */
    public List<String> unassignAll(DbExecute tx, String tenantId, String userId) {
        List<String> ids = tx.createQuery("SELECT conversation_id FROM inbox_conversations WHERE tenant_id = ? AND"
                        + " assignee_user_id = ?")
                .params(tenantId, userId).execute().map(r -> r.column(1).get(String.class)).toList();
        tx.createUpdate("UPDATE inbox_conversations SET assignee_user_id = NULL WHERE tenant_id = ? AND"
                + " assignee_user_id = ?").params(tenantId, userId).execute();
        return ids;
    }

    /** Open (human) conversations assigned to each member of the tenant. */
    public Map<String, Long> openCounts(DbExecute exec, String tenantId) {
        Map<String, Long> out = new HashMap<>();
        exec.createQuery("SELECT i.assignee_user_id, COUNT(*) FROM inbox_conversations i JOIN conversations c ON"
                        + " c.id = i.conversation_id WHERE i.tenant_id = ? AND i.assignee_user_id IS NOT NULL AND"
                        + " c.status = 'human' GROUP BY i.assignee_user_id")
                .params(tenantId).execute()
                .forEach(r -> out.put(r.column(1).get(String.class), ((Number) r.column(2).get(Object.class))
                        .longValue()));
        return out;
    }

    public Map<String, Instant> rotation(DbExecute exec, String tenantId) {
        Map<String, Instant> out = new HashMap<>();
        exec.createQuery("SELECT user_id, last_assigned_at FROM agent_rotation WHERE tenant_id = ?")
                .params(tenantId).execute()
                .forEach(r -> out.put(r.column(1).get(String.class), Database.instant(r.column(2)).orElseThrow()));
        return out;
    }

    public void rotated(DbExecute tx, String tenantId, String userId, Instant now) {
        // insert-if-absent, then update: both databases, and two hand-offs at once never collide on the key
        tx.createInsert("INSERT INTO agent_rotation (tenant_id, user_id, last_assigned_at) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING").params(tenantId, userId, Database.timestamp(now)).execute();
        tx.createUpdate("UPDATE agent_rotation SET last_assigned_at = ? WHERE tenant_id = ? AND user_id = ?")
                .params(Database.timestamp(now), tenantId, userId).execute();
    }

    /** Forgets a removed member's place in the round-robin. */
    public void forgetRotation(DbExecute tx, String tenantId, String userId) {
        tx.createDelete("DELETE FROM agent_rotation WHERE tenant_id = ? AND user_id = ?").params(tenantId, userId)
                .execute();
    }

    public Routing routing(DbExecute exec, String connectionId) {
        return exec.createGet("SELECT auto_assign, team_id FROM connection_routing WHERE connection_id = ?")
                .params(connectionId).execute()
                .map(r -> new Routing(Boolean.TRUE.equals(r.column(1).get(Boolean.class)),
                        Database.optionalString(r.column(2))))
                .orElse(new Routing(false, Optional.empty()));
    }

    public void routing(DbExecute tx, String tenantId, String connectionId, Routing routing) {
        tx.createDelete("DELETE FROM connection_routing WHERE connection_id = ?").params(connectionId).execute();
        tx.createInsert("INSERT INTO connection_routing (connection_id, tenant_id, auto_assign, team_id)"
                        + " VALUES (?, ?, ?, ?)")
                .params(connectionId, tenantId, routing.autoAssign(), routing.teamId().orElse(null)).execute();
    }

    // ---------------------------------------------------------------------------------------------- listing

    /**
     * A page of the tenant's conversations, most recent activity first, after {@code (cursorActivity, cursorId)}.
     * {@code conditions} are SQL over {@code c} (conversations), {@code i} (inbox_conversations) with their params.
     */
    public List<Row> list(DbExecute exec, String tenantId, List<String> conditions, List<Object> params,
                          Optional<Instant> cursorActivity, Optional<String> cursorId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT c.id, c.contact_id, ct.display_name, i.assignee_user_id,"
                + " u.display_name, i.team_id, i.waiting_since, COALESCE(c.last_message_at, c.created_at) AS activity"
                + " FROM conversations c LEFT JOIN inbox_conversations i ON i.conversation_id = c.id"
                + " LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN users u ON u.id = i.assignee_user_id"
                + " WHERE c.tenant_id = ?");
        List<Object> all = new ArrayList<>();
        all.add(tenantId);
        for (String condition : conditions) {
            sql.append(" AND ").append(condition);
        }
        all.addAll(params);
        if (cursorActivity.isPresent()) {
            sql.append(" AND (COALESCE(c.last_message_at, c.created_at) < ? OR (COALESCE(c.last_message_at,"
                    + " c.created_at) = ? AND c.id < ?))");
            all.add(Database.timestamp(cursorActivity.get()));
            all.add(Database.timestamp(cursorActivity.get()));
            all.add(cursorId.orElseThrow());
        }
        sql.append(" ORDER BY activity DESC, c.id DESC LIMIT ").append(limit);
        return exec.createQuery(sql.toString()).params(all).execute()
                .map(r -> new Row(r.column(1).get(String.class), Database.optionalString(r.column(2)),
                        Database.optionalString(r.column(3)), Database.optionalString(r.column(4)),
                        Database.optionalString(r.column(5)), Database.optionalString(r.column(6)),
                        Database.instant(r.column(7)), Database.instant(r.column(8)).orElseThrow()))
                .toList();
    }

    /** The latest message of each conversation. */
    public Map<String, Last> lastMessages(DbExecute exec, List<String> conversationIds) {
        Map<String, Last> out = new HashMap<>();
        if (conversationIds.isEmpty()) {
            return out;
        }
        exec.createQuery("SELECT conversation_id, role, text, created_at FROM (SELECT m.conversation_id, m.role,"
                        + " m.text, m.created_at, ROW_NUMBER() OVER (PARTITION BY m.conversation_id ORDER BY m.seq"
                        + " DESC) AS rn FROM messages m WHERE m.conversation_id IN (" + marks(conversationIds.size())
                        + ")) x WHERE rn = 1")
                .params(new ArrayList<Object>(conversationIds)).execute()
                .forEach(r -> out.put(r.column(1).get(String.class), new Last(r.column(2).get(String.class),
                        r.column(3).get(String.class), Database.instant(r.column(4)).orElseThrow())));
        return out;
    }

    /** The contact's messages each conversation has that {@code userId} has not read. */
    public Map<String, Long> unread(DbExecute exec, String userId, List<String> conversationIds) {
        Map<String, Long> out = new HashMap<>();
        if (conversationIds.isEmpty()) {
            return out;
        }
        List<Object> params = new ArrayList<>();
        params.add(userId);
        params.addAll(conversationIds);
        exec.createQuery("SELECT m.conversation_id, COUNT(*) FROM messages m LEFT JOIN conversation_reads r ON"
                        + " r.conversation_id = m.conversation_id AND r.user_id = ? WHERE m.conversation_id IN ("
                        + marks(conversationIds.size()) + ") AND m.direction = 'inbound' AND m.seq >"
                        + " COALESCE(r.last_read_seq, 0) GROUP BY m.conversation_id")
                .params(params).execute()
                .forEach(r -> out.put(r.column(1).get(String.class), ((Number) r.column(2).get(Object.class))
                        .longValue()));
        return out;
    }

    public void read(DbExecute tx, String userId, String conversationId) {
        long seq = tx.createGet("SELECT MAX(seq) FROM messages WHERE conversation_id = ?").params(conversationId)
                .execute().flatMap(r -> Database.optionalLong(r.column(1))).orElse(0L);
        tx.createInsert("INSERT INTO conversation_reads (user_id, conversation_id, last_read_seq) VALUES (?, ?, ?)"
                + " ON CONFLICT DO NOTHING").params(userId, conversationId, seq).execute();
        tx.createUpdate("UPDATE conversation_reads SET last_read_seq = ? WHERE user_id = ? AND conversation_id = ?"
                + " AND last_read_seq < ?").params(seq, userId, conversationId, seq).execute();
    }

    /** Messages of the tenant whose text contains {@code pattern} (a LIKE pattern, lower case), newest first. */
    public List<DbRow> searchMessages(DbExecute exec, String tenantId, String pattern, int limit) {
        return exec.createQuery("SELECT id, conversation_id, role, text, created_at FROM messages WHERE tenant_id = ?"
                        + " AND LOWER(text) LIKE ? ESCAPE '!' ORDER BY seq DESC LIMIT " + limit)
                .params(tenantId, pattern).execute().toList();
    }

    // ---------------------------------------------------------------------------------------------- settings, CSAT

    public Optional<String> settings(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT settings FROM inbox_settings WHERE tenant_id = ?").params(tenantId).execute()
                .map(r -> r.column(1).get(String.class));
    }

    public void settings(DbExecute tx, String tenantId, String json) {
        tx.createDelete("DELETE FROM inbox_settings WHERE tenant_id = ?").params(tenantId).execute();
        tx.createInsert("INSERT INTO inbox_settings (tenant_id, settings) VALUES (?, ?)").params(tenantId, json)
                .execute();
    }

    public void csat(DbExecute tx, String id, String tenantId, String conversationId, int rating, Instant now) {
        tx.createInsert("INSERT INTO csat_responses (id, tenant_id, conversation_id, rating, created_at)"
                        + " VALUES (?, ?, ?, ?, ?)")
                .params(id, tenantId, conversationId, rating, Database.timestamp(now)).execute();
    }

    /** Ratings of the tenant between two instants, counted by value. */
    public Map<Integer, Long> csatDistribution(DbExecute exec, String tenantId, Instant from, Instant to) {
        Map<Integer, Long> out = new HashMap<>();
        exec.createQuery("SELECT rating, COUNT(*) FROM csat_responses WHERE tenant_id = ? AND created_at >= ? AND"
                        + " created_at < ? GROUP BY rating")
                .params(tenantId, Database.timestamp(from), Database.timestamp(to)).execute()
                .forEach(r -> out.put(((Number) r.column(1).get(Object.class)).intValue(),
                        ((Number) r.column(2).get(Object.class)).longValue()));
        return out;
    }

    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
