package dev.clawless.core.tenant;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which assistant answers the tenant's conversations.
 *
 * @param provider {@code auto} (the default: the hub's LLM when one is configured — openai, then anthropic, then
 *                 ollama — else the embedded retrieval assistant), {@code retrieval} (embedded, no LLM),
 *                 {@code openai}, {@code anthropic} or {@code ollama}
 * @param model    the provider's model name; empty for the provider's default
 * @param aliases  model names the tenant's API clients may send ({@code gpt-4o-mini}, {@code support-bot}) to the
 *                 {@code provider[/model]} that serves them; consulted before the hub's own resolution of bare names
 * @param thinkingBudgetTokens Anthropic's extended thinking for this tenant's turns: 0 off, at least 1024 on; empty
 *                 for the hub's {@code clawless.providers.anthropic.thinking-budget-tokens}
 */
public record AssistantSettings(String provider, Optional<String> model, Map<String, String> aliases,
                                Optional<Integer> thinkingBudgetTokens) {

    public static final int MAX_ALIASES = 50;
    public static final int MIN_THINKING = 1024;
    public static final int MAX_THINKING = 64_000;

    public AssistantSettings {
        aliases = Map.copyOf(aliases);
    }

    /** Settings without model aliases, thinking as the hub sets it. */
    public AssistantSettings(String provider, Optional<String> model) {
        this(provider, model, Map.of(), Optional.empty());
    }

    public static final String AUTO = "auto";
    public static final List<String> PROVIDERS = List.of(AUTO, "retrieval", "openai", "anthropic", "ollama");
    /** A tenant that never chose: switching the hub to an LLM moves it along, as one step for the operator. */
    public static final AssistantSettings DEFAULT = new AssistantSettings(AUTO, Optional.empty());
}
