package dev.clawless.core.conversation;

import java.util.Locale;

/** Who wrote a message. */
public enum MessageRole {
    USER, ASSISTANT, OPERATOR, SYSTEM, TOOL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
