package dev.clawless.core.tenant;

import java.util.Map;
import java.util.Optional;

/**
 * A partial change of {@link AssistantSettings}: a present provider or model replaces the stored one;
 * {@code clearModel} goes back to the provider's default model; present {@code aliases} replace the stored map; a
 * present thinking budget replaces the stored one, {@code clearThinking} goes back to the hub's.
 */
public record AssistantPatch(Optional<String> provider, Optional<String> model, boolean clearModel,
                             Optional<Map<String, String>> aliases, Optional<Integer> thinkingBudgetTokens,
                             boolean clearThinking) {

    public AssistantPatch(Optional<String> provider, Optional<String> model, boolean clearModel) {
        this(provider, model, clearModel, Optional.empty(), Optional.empty(), false);
    }

    public AssistantSettings applyTo(AssistantSettings current) {
        return new AssistantSettings(provider.orElse(current.provider()),
                clearModel ? Optional.empty() : model.or(current::model), aliases.orElse(current.aliases()),
                clearThinking ? Optional.empty() : thinkingBudgetTokens.or(current::thinkingBudgetTokens));
    }
}
