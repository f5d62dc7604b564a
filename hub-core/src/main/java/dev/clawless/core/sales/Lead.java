package dev.clawless.core.sales;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the sales mode learnt in one conversation.
 *
 * @param answers       the form's fields filled so far, by field name, in the order they were given
 * @param intents       the intents the conversation showed (each scored once)
 * @param asking        the field whose question the contact was asked last ({@link #OFFER}: the WhatsApp offer)
 * @param pushStatus    {@code none}, {@code queued}, {@code retrying}, {@code pushed} or {@code failed}
 * @param pushError     why the last push failed, while it retries or once it gave up
 * @param lastMessageId the contact's message read last (a turn run again does not read it twice)
 * @param lastAnswered  whether that message was an answer to the form rather than a question
 * @param crmRecords    the contact's records in CRMs (linked by pushes and by CRM tools the assistant called)
 */
public record Lead(String id, String tenantId, String conversationId, String contactId, Map<String, String> answers,
                   List<String> intents, int score, Optional<String> asking, Optional<Instant> offeredAt,
                   Optional<Instant> qualifiedAt, Optional<Instant> transferredAt, Optional<String> transferredTo,
                   String pushStatus, int pushAttempts, Optional<String> pushError, Optional<Instant> pushedAt,
                   Optional<String> lastMessageId, boolean lastAnswered, Instant createdAt, Instant updatedAt,
                   List<CrmRecord> crmRecords) {

    /** {@link #asking} while the contact was offered to continue on WhatsApp. */
    public static final String OFFER = "@whatsapp";

    public Lead {
        answers = Collections.unmodifiableMap(new LinkedHashMap<>(answers));
        intents = List.copyOf(intents);
        crmRecords = List.copyOf(crmRecords);
    }

    /** A new lead of a conversation, with nothing in it yet. */
    static Lead start(String id, String tenantId, String conversationId, String contactId, Instant now) {
        return new Lead(id, tenantId, conversationId, contactId, Map.of(), List.of(), 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), "none", 0, Optional.empty(),
                Optional.empty(), Optional.empty(), false, now, now, List.of());
    }

    public boolean qualified() {
        return qualifiedAt.isPresent();
    }

    /** What reading one of the contact's messages made of the lead. */
    Lead read(Map<String, String> answers, List<String> intents, int score, Optional<String> asking,
              Optional<Instant> offeredAt, Optional<Instant> qualifiedAt, String pushStatus, String messageId,
              boolean answered, Instant now) {
        return new Lead(id, tenantId, conversationId, contactId, answers, intents, score, asking, offeredAt,
                qualifiedAt, transferredAt, transferredTo, pushStatus, pushAttempts, pushError, pushedAt,
                Optional.of(messageId), answered, createdAt, now, crmRecords);
    }

    Lead withAsking(Optional<String> next, Instant now) {
        return new Lead(id, tenantId, conversationId, contactId, answers, intents, score, next, offeredAt,
                qualifiedAt, transferredAt, transferredTo, pushStatus, pushAttempts, pushError, pushedAt,
                lastMessageId, lastAnswered, createdAt, now, crmRecords);
    }

    Lead transferred(Map<String, String> withPhone, String to, Instant now) {
        return new Lead(id, tenantId, conversationId, contactId, withPhone, intents, score, Optional.empty(),
                offeredAt, qualifiedAt, Optional.of(now), Optional.of(to), pushStatus, pushAttempts, pushError,
                pushedAt, lastMessageId, lastAnswered, createdAt, now, crmRecords);
    }

    Lead withPush(String status, int attempts, Optional<String> error, Optional<Instant> at, Instant now) {
        return new Lead(id, tenantId, conversationId, contactId, answers, intents, score, asking, offeredAt,
                qualifiedAt, transferredAt, transferredTo, status, attempts, error, at, lastMessageId, lastAnswered,
                createdAt, now, crmRecords);
    }

    Lead withRecords(List<CrmRecord> records) {
        return new Lead(id, tenantId, conversationId, contactId, answers, intents, score, asking, offeredAt,
                qualifiedAt, transferredAt, transferredTo, pushStatus, pushAttempts, pushError, pushedAt,
                lastMessageId, lastAnswered, createdAt, updatedAt, records);
    }

    /**
     * A contact's record in a CRM.
     *
     * @param crm        the CRM ({@code hubspot})
     * @param objectType its kind there ({@code contact}, {@code deal})
     */
    public record CrmRecord(String crm, String objectType, String recordId, Optional<String> url, Instant linkedAt) {
    }
}
