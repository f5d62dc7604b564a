package dev.clawless.core.conversation;

import java.util.Locale;

/** An inbound message is {@code RECEIVED}; an outbound one moves from {@code PENDING} towards {@code READ}. */
public enum MessageStatus {
    RECEIVED, PENDING, SENT, DELIVERED, READ, FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
