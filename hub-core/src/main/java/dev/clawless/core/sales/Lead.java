package dev.clawless.core.sales;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the sales mode learnt in one conversation.
 *
 * @param answers       the form's fields filled so far, by field name
 * @param intents       the intents the conversation showed (each scored once)
 * @param asking        the field whose question the contact was asked last ({@link #OFFER}: the WhatsApp offer)
 * @param pushStatus    {@code none}, {@code queued}, {@code retrying}, {@code pushed} or {@code failed}
 * @param pushError     why the last push failed, while it retries or once it gave up
 * @param crmRecords    the contact's records in CRMs (what pushes and CRM tools linked)
 */
public record Lead(String id, String tenantId, String conversationId, String contactId, Map<String, String> answers,
                   List<String> intents, int score, Optional<String> asking, Optional<Instant> offeredAt,
                   Optional<Instant> qualifiedAt, Optional<Instant> transferredAt, Optional<String> transferredTo,
                   String pushStatus, int pushAttempts, Optional<String> pushError, Optional<Instant> pushedAt,
                   Instant createdAt, Instant updatedAt, List<CrmRecord> crmRecords) {

    /** {@link #asking} while the contact was offered to continue on WhatsApp. */
    public static final String OFFER = "@whatsapp";

    public Lead {
        answers = Map.copyOf(answers);
        intents = List.copyOf(intents);
        crmRecords = List.copyOf(crmRecords);
    }

    public boolean qualified() {
        return qualifiedAt.isPresent();
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
