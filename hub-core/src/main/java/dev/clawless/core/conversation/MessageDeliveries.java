package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.conversation.internal.ConversationStore;
import dev.clawless.core.store.Database;

/**
 * What the hub knows about sending each outbound message: the platform ids of the parts sent, the platform calls in
 * flight (recorded before they start, so a crash leaves a trace), messages that may have gone out twice, and the
 * delivery status moving forward (sent, delivered, read) or failing with the platform's reason. Each change
 * publishes its event on the conversation in the same transaction. Thread-safe.
 */
public final class MessageDeliveries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final ConversationManagement conversations;
    private final Clock clock;
    private final ConversationStore store = new ConversationStore();

    MessageDeliveries(Database database, ConversationManagement conversations, Clock clock) {
        this.database = database;
        this.conversations = conversations;
        this.clock = clock;
    }

    /** Platform ids of the parts of an outbound message sent so far, by part number (0 first). */
    public java.util.Map<Integer, String> sentParts(String messageId) {
        return store.parts(database.execute(), messageId);
    }

    /**
     * True when one of these platform ids is recorded already for another message of the connection: a send the
     * channel says it found is then someone else's message with the same text, not this one.
     */
    public boolean recordedForAnother(Message message, java.util.List<String> externalIds) {
        var exec = database.execute();
        return externalIds.stream().anyMatch(id -> store.findByPart(exec, message.connectionId(), id)
                .or(() -> store.findByExternalId(exec, message.connectionId(), id))
                .filter(m -> !m.id().equals(message.id())).isPresent());
    }

    /**
     * When the platform call for part {@code part} of an outbound message started, if the hub never learned how it
     * ended (it crashed during the call, or the call ended without a definite answer).
     */
    public Optional<Instant> sendStarted(Message message, int part) {
        return store.sendStarted(database.execute(), message.id(), part);
    }

    /**
     * Notes, durably, that the platform call for part {@code part} starts now. With {@code again}, an earlier call's
     * outcome is unknown and the platform cannot tell: the message is marked {@code delivery_uncertain} and
     * {@code delivery.uncertain} published, in the same transaction, before the part goes out again.
     *
     * @return true when this call marked the message uncertain (it was not before)
     */
    public boolean startSend(Message message, int part, boolean again) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return database.inTransaction(tx -> {
            store.startSend(tx, message.id(), part, now);
            if (again && store.markUncertain(tx, message.id())) {
                conversations.publish(tx, message.tenantId(), message.conversationId(), "delivery.uncertain",
                        JSON.createObjectNode()
                        .put("message_id", message.id()).put("conversation_id", message.conversationId())
                        .put("connection_id", message.connectionId()).put("part", part).toString());
                return true;
            }
            return false;
        });
    }

    /** Forgets a started platform call that the platform refused (nothing went out). */
    public void sendRefused(Message message, int part) {
        database.inTransaction(tx -> {
            store.clearSend(tx, message.id(), part);
            return null;
        });
    }

    /**
     * Records that part {@code part} of an outbound message went out as the platform messages {@code externalIds}
     * (numbered {@code part}, {@code part + 1}, …; or under the hub's own id when the platform gave none), and forgets
     * its started call, in one transaction.
     */
    public void recordSent(Message message, int part, java.util.List<String> externalIds) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            if (externalIds.isEmpty()) {
                store.insertPart(tx, message.id(), part, message.connectionId(), message.id() + "-" + part / 100, now);
            }
            for (int j = 0; j < externalIds.size() && j < 100; j++) {
                store.insertPart(tx, message.id(), part + j, message.connectionId(), externalIds.get(j), now);
            }
            store.clearSend(tx, message.id(), part);
            return null;
        });
    }

    /** Marks an outbound message sent (every part out), with the platform id of its first part. */
    public void markSent(Message message, String firstExternalId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            boolean pending = store.findMessage(tx, message.tenantId(), message.id())
                    .map(m -> m.status() == MessageStatus.PENDING).orElse(false);
            store.markSentIfPending(tx, message.id(), firstExternalId, now);
            if (pending) {
                statusChanged(tx, message, MessageStatus.SENT, Optional.empty(), now);
            }
            return null;
        });
    }

    /**
     * Marks an outbound message failed for good, with the reason, and publishes {@code delivery.failed}.
     *
     * @param platformCode the platform's own error code, if it gave one
     */
    public void markFailed(Message message, String error, Optional<String> platformCode) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String shown = error.length() > 1000 ? error.substring(0, 1000) : error;
        database.inTransaction(tx -> {
            store.setDelivery(tx, message.id(), MessageStatus.FAILED.wire(), null,
                    platformCode.map(c -> c + ": " + shown).orElse(shown), now);
            statusChanged(tx, message, MessageStatus.FAILED, Optional.of(shown), now);
            conversations.publish(tx, message.tenantId(), message.conversationId(), "delivery.failed",
                    JSON.createObjectNode()
                    .put("message_id", message.id()).put("conversation_id", message.conversationId())
                    .put("connection_id", message.connectionId()).put("error", shown)
                    .put("platform_code", platformCode.orElse(null)).toString());
            return null;
        });
    }

    /**
     * Makes a failed outbound message pending again, in the caller's transaction (its delivery is being retried), and
     * publishes {@code message.status_changed}; false when the message had not failed (nothing changes).
     */
    public boolean retryFailed(DbExecute tx, String tenantId, String messageId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<Message> m = store.findMessage(tx, tenantId, messageId);
        if (m.isEmpty() || !store.unfail(tx, tenantId, messageId, now)) {
            return false;
        }
        statusChanged(tx, m.get(), MessageStatus.PENDING, Optional.empty(), now);
        return true;
    }

    /**
     * Applies a platform's status report to the sent message it names: statuses only move forward
     * (sent → delivered → read), and a failure after a read is ignored. Unknown ids are ignored (a status of a message
     * sent before the connection existed, or another system's); true when a message changed.
     */
    public boolean applyDeliveryStatus(String connectionId, String externalId, MessageStatus status,
                                       Optional<String> error) {
        return database.inTransaction(tx -> applyDeliveryStatus(tx, connectionId, externalId, status, error));
    }

    /** {@link #applyDeliveryStatus(String, String, MessageStatus, Optional)} in the caller's transaction. */
    boolean applyDeliveryStatus(DbExecute tx, String connectionId, String externalId, MessageStatus status,
                                Optional<String> error) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<Message> found = store.findByPart(tx, connectionId, externalId)
                .or(() -> store.findByExternalId(tx, connectionId, externalId).filter(m -> !m.inbound()));
        if (found.isEmpty()) {
            return false;
        }
        Message m = found.get();
        boolean forward = status == MessageStatus.FAILED
                ? m.status() != MessageStatus.READ && m.status() != MessageStatus.FAILED
                : rank(status) > rank(m.status());
        if (!forward) {
            return false;
        }
        String shown = error.map(e -> e.length() > 1000 ? e.substring(0, 1000) : e).orElse(null);
        store.setDelivery(tx, m.id(), status.wire(), null, shown, now);
        statusChanged(tx, m, status, error, now);
        if (status == MessageStatus.FAILED) {
            conversations.publish(tx, m.tenantId(), m.conversationId(), "delivery.failed",
                    JSON.createObjectNode()
                    .put("message_id", m.id()).put("conversation_id", m.conversationId())
                    .put("connection_id", connectionId).put("error", shown)
                    .put("platform_code", error.map(e -> e.split(":", 2)[0].strip()).orElse(null)).toString());
        }
        return true;
    }

    /**
     * A read watermark (Messenger's): every message the hub sent in the thread by {@code at} that is sent or
     * delivered becomes read, each with its own {@code message.status_changed} event.
     *
     * @return how many messages changed
     */
    int applyReadUpTo(DbExecute tx, String connectionId, String threadKey, Instant at) {
        // a watermark from the future (a skewed or hostile clock) reads no further than now
        Instant upTo = at.isAfter(clock.instant()) ? clock.instant() : at;
        List<String> externalIds = tx.createQuery("SELECT m.external_message_id FROM messages m"
                        + " JOIN conversations c ON c.id = m.conversation_id"
                        + " WHERE c.connection_id = ? AND c.external_thread_key = ? AND m.direction = 'outbound'"
                        + " AND m.status IN ('sent', 'delivered') AND m.external_message_id IS NOT NULL"
                        + " AND m.updated_at <= ? ORDER BY m.seq")
                .params(connectionId, threadKey, Database.timestamp(upTo))
                .execute().map(r -> r.column("external_message_id").getString()).toList();
        int changed = 0;
        for (String external : externalIds) {
            if (applyDeliveryStatus(tx, connectionId, external, MessageStatus.READ, Optional.empty())) {
                changed++;
            }
        }
        return changed;
    }

    private static int rank(MessageStatus s) {
        return switch (s) {
            case RECEIVED, PENDING -> 0;
            case SENT -> 1;
            case DELIVERED -> 2;
            case READ -> 3;
            case FAILED -> 4;
        };
    }

    private void statusChanged(DbExecute tx, Message m, MessageStatus status, Optional<String> error, Instant now) {
        conversations.publish(tx, m.tenantId(), m.conversationId(), "message.status_changed",
                JSON.createObjectNode()
                .put("message_id", m.id()).put("conversation_id", m.conversationId()).put("status", status.wire())
                .put("error", error.orElse(null)).toString());
    }
}
