package dev.clawless.core.conversation.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.JsonMappers;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.conversation.MessageStatus;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.Participant;

/**
 * JDBC access to contacts, identities, conversations and messages. Inserts that may race with a duplicate delivery
 * use {@code ON CONFLICT DO NOTHING} against the unique keys and then read the winner.
 */
public final class ConversationStore {

    private static final ObjectMapper JSON = JsonMappers.create();
    private static final String CONVERSATION_COLUMNS = "id, tenant_id, channel_type, connection_id,"
            + " external_thread_key, contact_id, chat_type, status, last_message_at, created_at, updated_at, title,"
            + " metadata, summary, summary_version, message_cursor";
    private static final String MESSAGE_COLUMNS = "id, seq, tenant_id, conversation_id, connection_id,"
            + " external_message_id, direction, role, identity_id, text, attachments, status, error,"
            + " reply_to_external_id, edited, metadata, created_at, intent, delivery_uncertain";

    /** The identity of {@code sender} on the connection, and its contact; created (with a new contact) if new. */
    public Identity identity(DbExecute tx, String tenantId, String channelType, String connectionId,
                             Participant sender, String newContactId, String newIdentityId, Instant now) {
        return identity(tx, tenantId, channelType, connectionId, sender, Optional.empty(), newContactId,
                newIdentityId, now);
    }

    /**
     * The identity of {@code sender} on the connection, and its contact. A new identity whose {@code verifiedKey}
     * (a platform-verified phone, e-mail address or user id) another identity of the tenant already has joins that
     * identity's contact; otherwise it gets a new contact (or {@code contactId} when the caller names one).
     */
    public Identity identity(DbExecute tx, String tenantId, String channelType, String connectionId,
                             Participant sender, Optional<String> verifiedKey, String newContactId,
                             String newIdentityId, Instant now) {
        Optional<Identity> existing = findIdentity(tx, tenantId, connectionId, sender.externalId());
        if (existing.isPresent()) {
            return existing.get();
        }
        Optional<String> known = verifiedKey.flatMap(k -> tx.createGet("SELECT contact_id FROM contact_identities"
                        + " WHERE tenant_id = ? AND verified_key = ? ORDER BY created_at LIMIT 1")
                .params(tenantId, k).execute().map(r -> r.column(1).get(String.class)));
        String contactId = known.orElse(newContactId);
        if (known.isEmpty() && findContact(tx, tenantId, newContactId).isEmpty()) {
            tx.createInsert("INSERT INTO contacts (id, tenant_id, display_name, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?)")
                    .params(newContactId, tenantId, sender.displayName().orElse(null), Database.timestamp(now),
                            Database.timestamp(now))
                    .execute();
        }
        long inserted = tx.createInsert("INSERT INTO contact_identities (id, tenant_id, contact_id, channel_type,"
                        + " connection_id, external_id, display_name, username, created_at, verified_key)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(newIdentityId, tenantId, contactId, channelType, connectionId, sender.externalId(),
                        sender.displayName().orElse(null), sender.username().orElse(null), Database.timestamp(now),
                        verifiedKey.orElse(null))
                .execute();
        if (inserted == 0 && known.isEmpty()) {
            tx.createDelete("DELETE FROM contacts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM contact_identities"
                    + " WHERE contact_id = ?)").params(newContactId, newContactId).execute();
        }
        return findIdentity(tx, tenantId, connectionId, sender.externalId())
                .orElseThrow(() -> new IllegalStateException("identity vanished"));
    }

    private Optional<String> findContact(DbExecute tx, String tenantId, String contactId) {
        return tx.createGet("SELECT id FROM contacts WHERE tenant_id = ? AND id = ?").params(tenantId, contactId)
                .execute().map(r -> r.column(1).get(String.class));
    }

    private Optional<Identity> findIdentity(DbExecute tx, String tenantId, String connectionId, String externalId) {
        return tx.createGet("SELECT id, contact_id FROM contact_identities WHERE tenant_id = ? AND connection_id = ?"
                        + " AND external_id = ?")
                .params(tenantId, connectionId, externalId)
                .execute()
                .map(r -> new Identity(r.column(1).get(String.class), r.column(2).get(String.class)));
    }

    /** An identity and the contact it belongs to. */
    public record Identity(String id, String contactId) {
    }

    /** A conversation and whether this transaction created it. */
    public record Resolved(Conversation conversation, boolean created) {
    }

    /** The conversation of the thread, created if new; a conversation created now starts with the assistant. */
    public Resolved conversation(DbExecute tx, String tenantId, String channelType, String connectionId,
                                 String threadKey, String contactId, ChatType chatType, String newId, Instant now) {
        Optional<Conversation> existing = findByThread(tx, tenantId, connectionId, threadKey);
        if (existing.isPresent()) {
            return new Resolved(existing.get(), false);
        }
        long inserted = tx.createInsert("INSERT INTO conversations (id, tenant_id, channel_type, connection_id, external_thread_key,"
                        + " contact_id, chat_type, status, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, 'bot', ?, ?) ON CONFLICT DO NOTHING")
                .params(newId, tenantId, channelType, connectionId, threadKey, contactId,
                        chatType.name().toLowerCase(Locale.ROOT), Database.timestamp(now), Database.timestamp(now))
                .execute();
        return new Resolved(findByThread(tx, tenantId, connectionId, threadKey)
                .orElseThrow(() -> new IllegalStateException("conversation vanished")), inserted == 1);
    }

    public Optional<Conversation> findByThread(DbExecute tx, String tenantId, String connectionId, String key) {
        return tx.createGet("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ?"
                        + " AND connection_id = ? AND external_thread_key = ?")
                .params(tenantId, connectionId, key)
                .execute().map(ConversationStore::conversation);
    }

    /** A new conversation that is its own thread (API sessions). */
    public void insertSession(DbExecute tx, String id, String tenantId, String connectionId, Optional<String> title,
                              Map<String, String> metadata, Instant now) {
        tx.createInsert("INSERT INTO conversations (id, tenant_id, channel_type, connection_id, external_thread_key,"
                        + " chat_type, status, title, metadata, created_at, updated_at)"
                        + " VALUES (?, ?, 'api', ?, ?, 'direct', 'bot', ?, ?, ?, ?)")
                .params(id, tenantId, connectionId, id, title.orElse(null), metadataJson(metadata),
                        Database.timestamp(now), Database.timestamp(now))
                .execute();
    }

    public Page<Conversation> list(DbExecute exec, String tenantId, Optional<String> channelType,
                                   Optional<ConversationStatus> status, Optional<String> contactId, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        channelType.ifPresent(c -> {
            sql.append(" AND channel_type = ?");
            params.add(c);
        });
        status.ifPresent(st -> {
            sql.append(" AND status = ?");
            params.add(st.wire());
        });
        contactId.ifPresent(c -> {
            sql.append(" AND contact_id = ?");
            params.add(c);
        });
        page.cursor().ifPresent(c -> {
            sql.append(" AND id > ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY id LIMIT ").append(page.limit() + 1);
        List<Conversation> rows = exec.createQuery(sql.toString()).params(params).execute()
                .map(ConversationStore::conversation).toList();
        return Page.of(rows, page.limit(), c -> Cursors.encode(c.id()));
    }

    public boolean delete(DbExecute tx, String tenantId, String id) {
        return tx.createDelete("DELETE FROM conversations WHERE tenant_id = ? AND id = ?").params(tenantId, id)
                .execute() > 0;
    }

    public void deleteMessages(DbExecute tx, String tenantId, String conversationId) {
        tx.createDelete("DELETE FROM messages WHERE tenant_id = ? AND conversation_id = ?")
                .params(tenantId, conversationId).execute();
    }

    /** Messages of a conversation after {@code afterSeq}, oldest first. */
    public List<Message> after(DbExecute exec, String tenantId, String conversationId, long afterSeq, int limit) {
        return exec.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE tenant_id = ? AND conversation_id = ?"
                        + " AND seq > ? ORDER BY seq LIMIT " + limit)
                .params(tenantId, conversationId, afterSeq).execute().map(ConversationStore::message).toList();
    }

    public long countAfter(DbExecute exec, String tenantId, String conversationId, long afterSeq) {
        return exec.createGet("SELECT COUNT(*) FROM messages WHERE tenant_id = ? AND conversation_id = ? AND seq > ?")
                .params(tenantId, conversationId, afterSeq).execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    /** Replaces the summary if it is still at {@code expectedVersion}; true when it was. */
    public boolean storeSummary(DbExecute tx, String tenantId, String conversationId, int expectedVersion,
                                String summary, long cursor, Instant at) {
        return tx.createUpdate("UPDATE conversations SET summary = ?, summary_version = summary_version + 1,"
                        + " message_cursor = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND summary_version = ?")
                .params(summary, cursor, Database.timestamp(at), tenantId, conversationId, expectedVersion)
                .execute() == 1;
    }

    /** The reply stored for an inbound message, if any. */
    public Optional<Message> findReply(DbExecute exec, String tenantId, String answersMessageId) {
        return exec.createGet("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE tenant_id = ? AND answers_message_id = ?")
                .params(tenantId, answersMessageId).execute().map(ConversationStore::message);
    }

    /** Inserts an assistant reply unless the inbound message already has one; true when inserted. */
    public boolean insertReply(DbExecute tx, Message m, String answersMessageId) {
        // the platform id of the answered message goes with it, so the channel quotes that message, not the newest
        return tx.createInsert("INSERT INTO messages (id, tenant_id, conversation_id, connection_id, direction, role,"
                        + " text, attachments, status, metadata, answers_message_id, reply_to_external_id, created_at,"
                        + " updated_at) VALUES (?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(m.id(), m.tenantId(), m.conversationId(), m.connectionId(), m.role().wire(), m.text(),
                        attachmentsJson(m.attachments()), m.status().wire(), metadataJson(m.metadata()),
                        answersMessageId, m.replyToExternalId().orElse(null), Database.timestamp(m.createdAt()),
                        Database.timestamp(m.createdAt()))
                .execute() == 1;
    }

    /** The last {@code limit} messages of a conversation up to and including {@code uptoSeq}, oldest first. */
    public List<Message> recent(DbExecute exec, String tenantId, String conversationId, long uptoSeq, int limit) {
        List<Message> newestFirst = exec.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE tenant_id = ?"
                        + " AND conversation_id = ? AND seq <= ? ORDER BY seq DESC LIMIT " + limit)
                .params(tenantId, conversationId, uptoSeq).execute().map(ConversationStore::message).toList();
        List<Message> out = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    public void addEvent(DbExecute tx, String tenantId, String conversationId, String type, String data, Instant at) {
        addEvent(tx, tenantId, conversationId, type, data, at, false);
    }

    /** Adds an event and, with {@code outbox}, its row in the transcript outbox, both in the caller's transaction. */
    public void addEvent(DbExecute tx, String tenantId, String conversationId, String type, String data, Instant at,
                         boolean outbox) {
        var insert = tx.createInsert("INSERT INTO conversation_events (tenant_id, conversation_id, type, data,"
                        + " created_at) VALUES (?, ?, ?, ?, ?)")
                .params(tenantId, conversationId, type, data, Database.timestamp(at));
        if (!outbox) {
            insert.execute();
            return;
        }
        long id;
        try (var result = insert.returnColumns(List.of("id")).insert()) {
            id = result.generatedKeys().findFirst().map(r -> ((Number) r.column(1).get(Object.class)).longValue())
                    .orElseThrow(() -> new IllegalStateException("the event's id was not returned"));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        tx.createInsert("INSERT INTO transcript_outbox (event_id, created_at) VALUES (?, ?)")
                .params(id, Database.timestamp(at)).execute();
    }

    /** Events of a conversation after {@code afterId}, oldest first. */
    public List<dev.clawless.core.conversation.ConversationEvent> events(DbExecute exec, String tenantId,
                                                                       String conversationId, long afterId, int limit) {
        return exec.createQuery("SELECT id, conversation_id, type, data, created_at FROM conversation_events"
                        + " WHERE tenant_id = ? AND conversation_id = ? AND id > ? ORDER BY id LIMIT " + limit)
                .params(tenantId, conversationId, afterId)
                .execute()
                .map(ConversationStore::event)
                .toList();
    }

    /** Events of every conversation of a tenant after {@code afterId}, oldest first. */
    public List<dev.clawless.core.conversation.ConversationEvent> tenantEvents(DbExecute exec, String tenantId,
                                                                             long afterId, int limit) {
        return exec.createQuery("SELECT id, conversation_id, type, data, created_at FROM conversation_events"
                        + " WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT " + limit)
                .params(tenantId, afterId)
                .execute()
                .map(ConversationStore::event)
                .toList();
    }

    private static dev.clawless.core.conversation.ConversationEvent event(DbRow r) {
        return new dev.clawless.core.conversation.ConversationEvent(((Number) r.column(1).get(Object.class))
                .longValue(), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), Database.instant(r.column(5)).orElseThrow());
    }

    /** The newest event id of a tenant (0 when none). */
    public long latestEventId(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT MAX(id) FROM conversation_events WHERE tenant_id = ?").params(tenantId)
                .execute().flatMap(r -> Database.optionalLong(r.column(1))).orElse(0L);
    }

    /** Inserts an outbound message written by an operator. */
    public void insertOutbound(DbExecute tx, Message m) {
        tx.createInsert("INSERT INTO messages (id, tenant_id, conversation_id, connection_id, direction, role, text,"
                        + " attachments, status, metadata, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?)")
                .params(m.id(), m.tenantId(), m.conversationId(), m.connectionId(), m.role().wire(), m.text(),
                        attachmentsJson(m.attachments()), m.status().wire(), metadataJson(m.metadata()),
                        Database.timestamp(m.createdAt()), Database.timestamp(m.createdAt()))
                .execute();
    }

    public java.util.Map<String, Conversation> findAll(DbExecute exec, String tenantId, List<String> ids) {
        java.util.Map<String, Conversation> out = new java.util.HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            List<Object> params = new java.util.ArrayList<>();
            params.add(tenantId);
            params.addAll(chunk);
            exec.createQuery("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ? AND id IN ("
                            + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")
                    .params(params).execute().map(ConversationStore::conversation).forEach(c -> out.put(c.id(), c));
        }
        return out;
    }

    /** The conversation of a thread, its row locked until the transaction ends; empty when the thread has none. */
    public Optional<Conversation> lockByThread(DbExecute tx, String tenantId, String connectionId, String key) {
        return tx.createGet("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ?"
                        + " AND connection_id = ? AND external_thread_key = ? FOR UPDATE")
                .params(tenantId, connectionId, key)
                .execute().map(ConversationStore::conversation);
    }

    /** The conversation, its row locked until the transaction ends: status changes happen one after another. */
    public Optional<Conversation> lock(DbExecute tx, String tenantId, String id) {
        return tx.createGet("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ? AND id = ?"
                        + " FOR UPDATE")
                .params(tenantId, id).execute().map(ConversationStore::conversation);
    }

    public Optional<Conversation> find(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + CONVERSATION_COLUMNS + " FROM conversations WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(ConversationStore::conversation);
    }

    public void touch(DbExecute tx, String conversationId, ConversationStatus status, Instant at) {
        tx.createUpdate("UPDATE conversations SET status = ?, last_message_at = ?, updated_at = ? WHERE id = ?")
                .params(status.wire(), Database.timestamp(at), Database.timestamp(at), conversationId)
                .execute();
    }

    /** Replaces a conversation's metadata. */
    public void setMetadata(DbExecute tx, String conversationId, Map<String, String> metadata, Instant at) {
        tx.createUpdate("UPDATE conversations SET metadata = ?, updated_at = ? WHERE id = ?")
                .params(metadataJson(metadata), Database.timestamp(at), conversationId)
                .execute();
    }

    public void setStatus(DbExecute tx, String conversationId, ConversationStatus status, Instant at) {
        tx.createUpdate("UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?")
                .params(status.wire(), Database.timestamp(at), conversationId)
                .execute();
    }

    /** Inserts a message unless the connection already has one with its external id; true when inserted. */
    public boolean insertMessage(DbExecute tx, Message m, Double intentScore) {
        return tx.createInsert("INSERT INTO messages (id, tenant_id, conversation_id, connection_id,"
                        + " external_message_id, direction, role, identity_id, text, attachments, status, error,"
                        + " reply_to_external_id, edited, metadata, created_at, updated_at, intent, intent_score)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS DOUBLE PRECISION))"
                        + " ON CONFLICT DO NOTHING")
                .params(m.id(), m.tenantId(), m.conversationId(), m.connectionId(),
                        m.externalMessageId().orElse(null), m.inbound() ? "inbound" : "outbound", m.role().wire(),
                        m.identityId().orElse(null), m.text(), attachmentsJson(m.attachments()), m.status().wire(),
                        m.error().orElse(null), m.replyToExternalId().orElse(null), m.edited(),
                        metadataJson(m.metadata()), Database.timestamp(m.createdAt()),
                        Database.timestamp(m.createdAt()), m.intent().orElse(null), intentScore)
                .execute() == 1;
    }

    public Optional<Message> findByExternalId(DbExecute exec, String connectionId, String externalId) {
        return exec.createGet("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE connection_id = ?"
                        + " AND external_message_id = ?")
                .params(connectionId, externalId).execute().map(ConversationStore::message);
    }

    public Optional<Message> findMessage(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(ConversationStore::message);
    }

    public void edit(DbExecute tx, String messageId, String text, List<Attachment> attachments, Instant at) {
        tx.createUpdate("UPDATE messages SET text = ?, attachments = ?, edited = TRUE, updated_at = ? WHERE id = ?")
                .params(text, attachmentsJson(attachments), Database.timestamp(at), messageId)
                .execute();
    }

    /** A conversation's messages in order, after the cursor. */
    public Page<Message> messages(DbExecute exec, String tenantId, String conversationId, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE tenant_id = ?"
                + " AND conversation_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId, conversationId));
        page.cursor().ifPresent(c -> {
            sql.append(" AND seq > ?");
            params.add(Cursors.decodeLong(c));
        });
        sql.append(" ORDER BY seq LIMIT ").append(page.limit() + 1);
        List<Message> rows = exec.createQuery(sql.toString()).params(params).execute()
                .map(ConversationStore::message).toList();
        return Page.of(rows, page.limit(), m -> Cursors.encode(Long.toString(m.seq())));
    }

    private static Conversation conversation(DbRow r) {
        return new Conversation(
                r.column(1).get(String.class),
                r.column(2).get(String.class),
                r.column(3).get(String.class),
                r.column(4).get(String.class),
                r.column(5).get(String.class),
                Database.optionalString(r.column(6)),
                ChatType.valueOf(r.column(7).get(String.class).toUpperCase(Locale.ROOT)),
                ConversationStatus.fromWire(r.column(8).get(String.class)).orElseThrow(),
                Database.optionalString(r.column(12)),
                metadata(r.column(13).get(String.class)),
                Database.optionalString(r.column(14)),
                ((Number) r.column(15).get(Object.class)).intValue(),
                Database.optionalLong(r.column(16)),
                Database.instant(r.column(9)),
                Database.instant(r.column(10)).orElseThrow(),
                Database.instant(r.column(11)).orElseThrow());
    }

    /** Platform ids of the parts of an outbound message already sent, by part number. */
    public java.util.Map<Integer, String> parts(DbExecute exec, String messageId) {
        java.util.Map<Integer, String> parts = new java.util.TreeMap<>();
        exec.createQuery("SELECT part, external_message_id FROM message_parts WHERE message_id = ? ORDER BY part")
                .params(messageId).execute()
                .forEach(r -> parts.put(((Number) r.column(1).get(Object.class)).intValue(),
                        r.column(2).get(String.class)));
        return parts;
    }

    /** Records a sent part; false when that part was recorded already. */
    /** When the platform call for part {@code part} started, if its outcome was never recorded. */
    public Optional<Instant> sendStarted(DbExecute exec, String messageId, int part) {
        return exec.createGet("SELECT started_at FROM part_sends WHERE message_id = ? AND part = ?")
                .params(messageId, part).execute().flatMap(r -> Database.instant(r.column(1)));
    }

    /** Notes that the platform call for part {@code part} starts now. */
    public void startSend(DbExecute tx, String messageId, int part, Instant now) {
        clearSend(tx, messageId, part);
        tx.createInsert("INSERT INTO part_sends (message_id, part, started_at) VALUES (?, ?, ?)")
                .params(messageId, part, Database.timestamp(now)).execute();
    }

    /** Forgets a started call: its part was recorded, or the platform refused it. */
    public void clearSend(DbExecute tx, String messageId, int part) {
        tx.createDelete("DELETE FROM part_sends WHERE message_id = ? AND part = ?").params(messageId, part).execute();
    }

    /** Marks a message as possibly delivered twice; true when it was not marked before. */
    public boolean markUncertain(DbExecute tx, String messageId) {
        return tx.createUpdate("UPDATE messages SET delivery_uncertain = TRUE WHERE id = ? AND delivery_uncertain = FALSE")
                .params(messageId).execute() == 1;
    }

    public boolean insertPart(DbExecute tx, String messageId, int part, String connectionId, String externalId,
                              Instant at) {
        return tx.createInsert("INSERT INTO message_parts (message_id, part, connection_id, external_message_id,"
                        + " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(messageId, part, connectionId, externalId, Database.timestamp(at))
                .execute() == 1;
    }

    /** The message a platform id of a sent part belongs to. */
    public Optional<Message> findByPart(DbExecute exec, String connectionId, String externalId) {
        return exec.createGet("SELECT " + "m." + String.join(", m.", MESSAGE_COLUMNS.split(",\\s*"))
                        + " FROM message_parts p JOIN messages m ON m.id = p.message_id"
                        + " WHERE p.connection_id = ? AND p.external_message_id = ?")
                .params(connectionId, externalId).execute().map(ConversationStore::message);
    }

    /** Sets an outbound message's delivery status, its platform id when first sent, and its error. */
    public void setDelivery(DbExecute tx, String messageId, String status, String externalId, String error,
                            Instant at) {
        tx.createUpdate("UPDATE messages SET status = ?, external_message_id = COALESCE(external_message_id, ?),"
                        + " error = ?, updated_at = ? WHERE id = ?")
                .params(status, externalId, error, Database.timestamp(at), messageId)
                .execute();
    }

    /** A failed outbound message of the tenant back to pending, its error cleared; false when it had not failed. */
    public boolean unfail(DbExecute tx, String tenantId, String messageId, Instant at) {
        return tx.createUpdate("UPDATE messages SET status = 'pending', error = NULL, updated_at = ? WHERE id = ?"
                        + " AND tenant_id = ? AND status = 'failed' AND direction = 'outbound'")
                .params(Database.timestamp(at), messageId, tenantId)
                .execute() == 1;
    }

    /** Marks an outbound message sent, unless a status callback already moved it further (or it failed). */
    public void markSentIfPending(DbExecute tx, String messageId, String externalId, Instant at) {
        tx.createUpdate("UPDATE messages SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END,"
                        + " external_message_id = COALESCE(external_message_id, ?), updated_at = ? WHERE id = ?")
                .params(externalId, Database.timestamp(at), messageId)
                .execute();
    }

    /** When the contact last wrote in the conversation. */
    public Optional<Instant> lastInbound(DbExecute exec, String conversationId) {
        return exec.createGet("SELECT MAX(created_at) FROM messages WHERE conversation_id = ?"
                        + " AND direction = 'inbound'")
                .params(conversationId).execute().flatMap(r -> Database.instant(r.column(1)));
    }

    private static Message message(DbRow r) {
        return new Message(
                r.column(1).get(String.class),
                ((Number) r.column(2).get(Object.class)).longValue(),
                r.column(3).get(String.class),
                r.column(4).get(String.class),
                r.column(5).get(String.class),
                Database.optionalString(r.column(6)),
                "inbound".equals(r.column(7).get(String.class)),
                MessageRole.valueOf(r.column(8).get(String.class).toUpperCase(Locale.ROOT)),
                Database.optionalString(r.column(9)),
                r.column(10).get(String.class),
                attachments(r.column(11).get(String.class)),
                MessageStatus.valueOf(r.column(12).get(String.class).toUpperCase(Locale.ROOT)),
                Database.optionalString(r.column(13)),
                Database.optionalString(r.column(14)),
                Boolean.TRUE.equals(r.column(15).get(Boolean.class)),
                metadata(r.column(16).get(String.class)),
                Database.optionalString(r.column(18)),
                Database.instant(r.column(17)).orElseThrow(),
                Boolean.TRUE.equals(r.column(19).get(Boolean.class)));
    }

    static String attachmentsJson(List<Attachment> attachments) {
        ArrayNode array = JSON.createArrayNode();
        for (Attachment a : attachments) {
            ObjectNode n = array.addObject();
            n.put("kind", a.kind().name().toLowerCase(Locale.ROOT));
            a.url().ifPresent(v -> n.put("url", v));
            a.mimeType().ifPresent(v -> n.put("mime_type", v));
            a.fileName().ifPresent(v -> n.put("file_name", v));
            a.sizeBytes().ifPresent(v -> n.put("size_bytes", v));
            a.externalId().ifPresent(v -> n.put("external_id", v));
        }
        return array.toString();
    }

    static List<Attachment> attachments(String json) {
        try {
            List<Attachment> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(json)) {
                out.add(new Attachment(Attachment.Kind.valueOf(n.path("kind").asText("other").toUpperCase(Locale.ROOT)),
                        text(n, "url"), text(n, "mime_type"), text(n, "file_name"),
                        n.has("size_bytes") ? OptionalLong.of(n.get("size_bytes").asLong()) : OptionalLong.empty(),
                        text(n, "external_id")));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("messages.attachments is not JSON", e);
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }

    static String metadataJson(Map<String, String> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> metadata(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("messages.metadata is not JSON", e);
        }
    }
}
