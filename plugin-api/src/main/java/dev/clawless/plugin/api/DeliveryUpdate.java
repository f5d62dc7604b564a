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

    private static final String READ_UP_TO = "read-up-to:";

    /**
     * The contact read everything the hub sent in a thread up to {@code at} (Messenger's read watermark, which names
     * no message): every sent or delivered message of the thread created by then becomes read.
     */
    public static DeliveryUpdate readUpTo(String connectionId, String externalThreadKey, Instant at) {
        return new DeliveryUpdate(connectionId, READ_UP_TO + at.toEpochMilli() + ":" + externalThreadKey,
                DeliveryStatus.READ, at, Optional.empty());
    }

    /** The thread of a {@link #readUpTo} update; empty for an update of one message. */
    public Optional<String> readUpToThread() {
        if (!externalMessageId.startsWith(READ_UP_TO)) {
            return Optional.empty();
        }
        String rest = externalMessageId.substring(READ_UP_TO.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(rest.substring(colon + 1));
    }

    /** The watermark of a {@link #readUpTo} update, as the platform gave it. */
    public Optional<Instant> readUpToTime() {
        if (!externalMessageId.startsWith(READ_UP_TO)) {
            return Optional.empty();
        }
        String rest = externalMessageId.substring(READ_UP_TO.length());
        int colon = rest.indexOf(':');
        try {
            return colon < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(rest.substring(0, colon))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public DeliveryUpdate {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(externalMessageId, "externalMessageId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(error, "error");
    }
}
