package dev.clawless.plugin.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The platform reports a new status for a message the hub sent (a WhatsApp status callback, a read receipt).
 *
 * @param connectionId      the connection
 * @param externalMessageId the platform's id of the sent message, as {@link SendResult} recorded it
 * @param status            its new status
 * @param at                when the platform says it changed
 * @param error             the platform's error code and text, for {@link DeliveryStatus#FAILED}
 */
public record DeliveryUpdate(String connectionId, String externalMessageId, DeliveryStatus status, Instant at,
                             Optional<String> error) implements InboundEvent {

    public DeliveryUpdate {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(externalMessageId, "externalMessageId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(error, "error");
    }
}
