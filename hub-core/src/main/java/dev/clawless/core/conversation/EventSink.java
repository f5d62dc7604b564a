package dev.clawless.core.conversation;

import java.time.Instant;

import io.helidon.dbclient.DbExecute;

/**
 * Receives each conversation event inside the transaction that records it, so what it does (enqueue webhook
 * deliveries) commits or rolls back with the event. Implemented by the events module, so conversation does not
 * depend on it.
 */
@FunctionalInterface
public interface EventSink {

    void published(DbExecute tx, String tenantId, String type, String data, Instant at);

    /** Does nothing. */
    EventSink NONE = (tx, tenantId, type, data, at) -> { };
}
