package dev.clawless.plugin.api;

import java.util.Objects;

/**
 * A suggested answer the recipient can tap; channels without buttons show it as text.
 *
 * @param title   what the button says
 * @param payload what comes back as the message text when it is tapped
 */
public record QuickReply(String title, String payload) {

    public QuickReply {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(payload, "payload");
    }
}
