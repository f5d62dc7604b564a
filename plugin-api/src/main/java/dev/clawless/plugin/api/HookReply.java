package dev.clawless.plugin.api;

import java.util.Objects;

/**
 * What the hub answers a platform's webhook request with, when a channel needs more than the default
 * {@code 200 {"ok":true}}: a verification challenge, or the empty TwiML a platform expects.
 *
 * @param status      HTTP status (2xx)
 * @param contentType media type of {@code body}
 * @param body        the body, as text
 */
public record HookReply(int status, String contentType, String body) {

    public HookReply {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        if (status < 200 || status > 299) {
            throw new IllegalArgumentException("a hook reply is a 2xx answer; errors are ChannelExceptions");
        }
    }

    /** The default acknowledgement. */
    public static HookReply ok() {
        return new HookReply(200, "application/json", "{\"ok\":true}");
    }

    /** A plain-text answer, e.g. a verification challenge echoed back. */
    public static HookReply text(String body) {
        return new HookReply(200, "text/plain; charset=UTF-8", body);
    }
}
