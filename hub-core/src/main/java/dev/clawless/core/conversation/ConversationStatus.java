package dev.clawless.core.conversation;

import java.util.Arrays;
import java.util.Optional;

/** Who answers a conversation: the assistant, a human operator (the assistant stays silent), or nobody (closed). */
public enum ConversationStatus {
    BOT("bot"), HUMAN("human"), CLOSED("closed");

    private final String wire;

    ConversationStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<ConversationStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst();
    }
}
