package dev.clawless.core.events;

import java.time.Instant;
import java.util.Optional;

/**
 * One event sent (or being sent) to one webhook.
 *
 * @param id          {@code whd_…}
 * @param webhookId   the webhook
 * @param eventId     the event's id ({@code evt_…}), also in the payload
 * @param eventType   its type
 * @param status      pending, delivered or failed
 * @param attempts    attempts made
 * @param lastStatus  the receiver's last HTTP status, if it answered
 * @param lastError   the last failure
 * @param createdAt   when the event happened
 * @param deliveredAt when a 2xx came back
 */
public record WebhookDelivery(String id, String webhookId, String eventId, String eventType, String status,
                              int attempts, Optional<Integer> lastStatus, Optional<String> lastError,
                              Instant createdAt, Optional<Instant> deliveredAt) {
}
