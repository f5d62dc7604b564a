package dev.clawless.core.inbox;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Texts;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.store.Database;

/**
 * Private notes on a conversation, for colleagues only: kept apart from messages, so no channel, no widget stream and
 * no assistant context ever carries them. Thread-safe.
 */
public final class Notes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final ConversationManagement conversations;
    private final Clock clock;
    private final Ids ids;

    public Notes(Database database, ConversationManagement conversations, Clock clock, Ids ids) {
        this.database = database;
        this.conversations = conversations;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * A note.
     *
     * @param authorId   the person ({@code usr_…}) or key ({@code key_…}) that wrote it
     * @param authorName their name when written
     */
    public record Note(String id, String conversationId, String authorId, String authorName, String text,
                       Instant createdAt) {
    }

    public Note add(String tenantId, String conversationId, String authorId, String authorName, String text) {
        conversations.get(tenantId, conversationId);
        if (!Texts.hasContent(text) || text.length() > 20_000) {
            throw ClawlessException.Validation.of("text", "must be 1-20000 characters");
        }
        Note note = new Note(ids.next("note"), conversationId, authorId, authorName, text,
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        database.inTransaction(tx -> {
            tx.createInsert("INSERT INTO notes (id, tenant_id, conversation_id, author_id, author_name, text,"
                            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .params(note.id(), tenantId, conversationId, authorId, authorName, text,
                            Database.timestamp(note.createdAt()))
                    .execute();
            // the event names the note, not its text: streams that are not the console's never carry a note
            conversations.publish(tx, tenantId, conversationId, "note.created", JSON.createObjectNode()
                    .put("conversation_id", conversationId).put("note_id", note.id()).put("author_id", authorId)
                    .toString());
            return null;
        });
        return note;
    }

    public List<Note> list(String tenantId, String conversationId) {
        conversations.get(tenantId, conversationId);
        return database.execute().createQuery("SELECT id, conversation_id, author_id, author_name, text, created_at"
                        + " FROM notes WHERE tenant_id = ? AND conversation_id = ? ORDER BY created_at, id LIMIT 1000")
                .params(tenantId, conversationId).execute()
                .map(r -> new Note(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class), r.column(5).get(String.class),
                        Database.instant(r.column(6)).orElseThrow()))
                .toList();
    }
}
