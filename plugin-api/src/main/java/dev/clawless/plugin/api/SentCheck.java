package dev.clawless.plugin.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What a channel found when the hub asked whether a send it started went out: the hub crashed during the call, or
 * the call ended without an answer (a timeout, a 5xx) after the platform may have taken it. See
 * {@link ChannelExtension#findSent}.
 *
 * @param outcome what the platform shows
 * @param result  the platform's ids of the message, when it was found
 */
public record SentCheck(Outcome outcome, Optional<SendResult> result) {

    /** What the platform shows about the send. */
    public enum Outcome {
        /** The message is there: the hub records it and does not send it again. */
        SENT,
        /** The platform shows it never arrived: the hub sends it, with no doubt about a duplicate. */
        NOT_SENT,
        /** The platform offers no way to tell: the hub sends it again and marks the message uncertain. */
        UNKNOWN
    }

    public SentCheck {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(result, "result");
        if ((outcome == Outcome.SENT) != result.isPresent()) {
            throw new IllegalArgumentException("a result goes with SENT, and only with SENT");
        }
    }

    /** The message was found on the platform with these ids. */
    public static SentCheck sent(SendResult result) {
        return new SentCheck(Outcome.SENT, Optional.of(result));
    }

    /** The platform shows the message never arrived. */
    public static SentCheck notSent() {
        return new SentCheck(Outcome.NOT_SENT, Optional.empty());
    }

    /** The platform cannot tell. */
    public static SentCheck unknown() {
        return new SentCheck(Outcome.UNKNOWN, Optional.empty());
    }
}
