package dev.clawless.core.tenant;

import java.util.Map;
import java.util.Optional;

/**
 * A partial change of {@link AssistantSettings}: a present provider or model replaces the stored one;
 * {@code clearModel} goes back to the provider's default model; present {@code aliases} replace the stored map.
 */
public record AssistantPatch(Optional<String> provider, Optional<String> model, boolean clearModel,
                             Optional<Map<String, String>> aliases) {

    public AssistantPatch(Optional<String> provider, Optional<String> model, boolean clearModel) {
        this(provider, model, clearModel, Optional.empty());
    }

    public AssistantSettings applyTo(AssistantSettings current) {
        return new AssistantSettings(provider.orElse(current.provider()),
                clearModel ? Optional.empty() : model.or(current::model), aliases.orElse(current.aliases()));
    }
}
