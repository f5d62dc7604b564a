package dev.clawless.core.tenant;

import java.util.List;
import java.util.Optional;

/**
 * Which assistant answers the tenant's conversations.
 *
 * @param provider {@code retrieval} (embedded, no LLM), {@code openai}, {@code anthropic} or {@code ollama}
 * @param model    the provider's model name; empty for the provider's default
 */
public record AssistantSettings(String provider, Optional<String> model) {

    public static final List<String> PROVIDERS = List.of("retrieval", "openai", "anthropic", "ollama");
    public static final AssistantSettings DEFAULT = new AssistantSettings("retrieval", Optional.empty());
}
