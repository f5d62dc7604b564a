package dev.clawless.core.conversation;

import java.time.Instant;
import java.util.List;

import dev.clawless.core.store.Database;

/**
 * The events waiting to be copied to the transcript store, oldest first: each was queued in the transaction that
 * stored it ({@link ConversationManagement#transcripts}), and leaves the queue only when the copy is acknowledged
 * ({@link #done}). A copy made twice (a node stopped between the two) is the same document again, by its event id.
 */
public final class TranscriptOutbox {

    /** One event to copy; {@code data} is the event's JSON. */
    public record Entry(long eventId, String tenantId, String conversationId, String type, String data,
                        Instant createdAt) {
    }

    private final Database database;

    public TranscriptOutbox(Database database) {
        this.database = database;
    }

    /**
     * Up to {@code limit} waiting events, oldest first. An event deleted since (its tenant or conversation deleted)
     * is not among them; {@link #orphans} finds its queue row.
     */
    public List<Entry> next(int limit) {
        return database.execute().createQuery("SELECT e.id, e.tenant_id, e.conversation_id, e.type, e.data,"
                        + " e.created_at FROM transcript_outbox o JOIN conversation_events e ON e.id = o.event_id"
                        + " ORDER BY o.event_id LIMIT " + limit)
                .execute()
                .map(r -> new Entry(((Number) r.column(1).get(Object.class)).longValue(),
                        r.column(2).get(String.class), r.column(3).get(String.class), r.column(4).get(String.class),
                        r.column(5).get(String.class), Database.instant(r.column(6)).orElseThrow()))
                .toList();
    }

    /** Queue rows whose event no longer exists (deleted with its tenant): nothing to copy. */
    public List<Long> orphans(int limit) {
        return database.execute().createQuery("SELECT o.event_id FROM transcript_outbox o WHERE NOT EXISTS (SELECT 1"
                        + " FROM conversation_events e WHERE e.id = o.event_id) ORDER BY o.event_id LIMIT " + limit)
                .execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).toList();
    }

    /** Removes copied events from the queue. */
    public void done(List<Long> eventIds) {
        if (eventIds.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("DELETE FROM transcript_outbox WHERE event_id IN (");
        for (int i = 0; i < eventIds.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        database.execute().createDelete(sql.append(')').toString()).params(eventIds.toArray()).execute();
    }

    /** Events waiting. */
    public long backlog() {
        return database.execute().createGet("SELECT COUNT(*) FROM transcript_outbox").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }
}
