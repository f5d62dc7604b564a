package dev.clawless.core.assistant;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Tenant;

/**
 * Answers for tenants: resolves which provider and model serve a request — the request's {@code provider/model}
 * when given, else the tenant's configured assistant — and runs it. Thread-safe.
 */
public final class AssistantRuntime {

    private final Map<String, AssistantProvider> providers = new LinkedHashMap<>();

    public AssistantRuntime(List<AssistantProvider> available) {
        available.forEach(p -> providers.put(p.name(), p));
    }

    /** A provider and the model to ask it for. */
    public record Target(AssistantProvider provider, String model) {
        /** {@code provider/model} as shown to callers. */
        public String label() {
            return provider.name() + "/" + model;
        }
    }

    /**
     * Resolves {@code requested} for {@code tenant}: empty or {@code default} means the tenant's assistant; otherwise
     * {@code provider} or {@code provider/model}.
     *
     * @throws ClawlessException.Validation (field {@code model}) for an unknown or unavailable provider
     */
    public Target resolve(Tenant tenant, String requested) {
        String spec = requested == null || requested.isBlank() || requested.equals("default")
                ? tenant.settings().assistant().provider()
                + tenant.settings().assistant().model().map(m -> "/" + m).orElse("")
                : requested.strip();
        int slash = spec.indexOf('/');
        String providerName = slash < 0 ? spec : spec.substring(0, slash);
        String model = slash < 0 ? "" : spec.substring(slash + 1);
        AssistantProvider provider = providers.get(providerName);
        if (provider == null) {
            throw ClawlessException.Validation.of("model", "'" + printable(spec) + "' is not available on this hub;"
                    + " use one of " + providers.keySet().stream().map(p -> p + "/…").toList() + " or default");
        }
        return new Target(provider, model.isEmpty() || model.equals("default") ? provider.defaultModel() : model);
    }

    /** Runs the request on the target, streaming deltas to {@code onDelta}. */
    public Completion complete(Target target, AssistantRequest request, Consumer<String> onDelta) {
        return target.provider().complete(request, onDelta);
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() <= 80 ? p : p.substring(0, 80) + "…";
    }
}
