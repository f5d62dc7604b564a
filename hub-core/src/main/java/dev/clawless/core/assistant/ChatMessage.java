package dev.clawless.core.assistant;

import java.util.Objects;

/**
 * One message of the conversation given to a provider.
 *
 * @param role    {@link Role#SYSTEM}, {@link Role#USER} or {@link Role#ASSISTANT}
 * @param content its text
 */
public record ChatMessage(Role role, String content) {

    /** Who said it. */
    public enum Role {
        SYSTEM, USER, ASSISTANT
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
