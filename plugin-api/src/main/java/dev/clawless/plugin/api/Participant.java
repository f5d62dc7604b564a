package dev.clawless.plugin.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Someone taking part in a conversation, as the channel knows them.
 *
 * @param externalId  the platform's stable id for them (Telegram user id, phone number, e-mail address, login)
 * @param displayName the name to show, when the platform gives one
 * @param username    a handle ({@code @alice}, a GitHub login), when the platform has one
 */
public record Participant(String externalId, Optional<String> displayName, Optional<String> username) {

    public Participant {
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(username, "username");
        if (externalId.isBlank()) {
            throw new IllegalArgumentException("externalId must not be blank");
        }
    }

    /** A participant known only by id. */
    public static Participant of(String externalId) {
        return new Participant(externalId, Optional.empty(), Optional.empty());
    }
}
