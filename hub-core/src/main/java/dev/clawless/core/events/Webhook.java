package dev.clawless.core.events;

import java.time.Instant;
import java.util.List;

/**
 * A tenant's subscription to events.
 *
 * @param id        {@code wh_…}
 * @param tenantId  owner
 * @param url       where events are POSTed
 * @param events    event types, or {@code *} for all
 * @param active    false once the receiver answered 410 Gone
 * @param createdAt creation time
 */
public record Webhook(String id, String tenantId, String url, List<String> events, boolean active, Instant createdAt) {

    public Webhook {
        events = List.copyOf(events);
    }
}
