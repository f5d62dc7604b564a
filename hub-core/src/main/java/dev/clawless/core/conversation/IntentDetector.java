package dev.clawless.core.conversation;

import java.util.Optional;

/**
 * Finds the intent of an inbound message. The conversation module calls it while ingesting; the knowledge module
 * implements it (so conversation does not depend on knowledge). Thread-safe.
 */
@FunctionalInterface
public interface IntentDetector {

    /** The best intent of {@code text} for the tenant, when one is similar enough. */
    Optional<DetectedIntent> detect(String tenantId, String text);

    /** Detects nothing (no intents configured). */
    IntentDetector NONE = (tenant, text) -> Optional.empty();

    /**
     * An intent found in a message.
     *
     * @param name  the intent's name
     * @param score similarity to its closest example, 0–1
     * @param mode  the assistant mode the tenant mapped to it, if any
     */
    record DetectedIntent(String name, double score, Optional<String> mode) {
    }
}
