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
    private final List<String> fallback;
    private final RoutingRules routing;

    /** A runtime without a fallback chain or routing rules. */
    public AssistantRuntime(List<AssistantProvider> available) {
        this(available, List.of());
    }

    public AssistantRuntime(List<AssistantProvider> available, List<String> fallback) {
        this(available, fallback, RoutingRules.NONE);
    }

    /**
     * @param available the providers configured on this hub
     * @param fallback  provider names tried in order when the chosen one fails before producing any text
     */
    public AssistantRuntime(List<AssistantProvider> available, List<String> fallback, RoutingRules routing) {
        available.forEach(p -> providers.put(p.name(), p));
        this.fallback = List.copyOf(fallback);
        this.routing = routing;
    }

    /**
     * Resolves the target for a message: the request's explicit model, else the first routing rule that matches the
     * message's traits and names an available provider, else the tenant's assistant.
     */
    public Target resolve(Tenant tenant, String requested, RoutingRules.Traits traits) {
        boolean explicit = requested != null && !requested.isBlank() && !requested.equals("default");
        if (!explicit) {
            java.util.Optional<String> routed = routing.route(traits, providers.keySet());
            if (routed.isPresent()) {
                return resolve(tenant, routed.get());
            }
        }
        return resolve(tenant, requested);
    }

    /** The provider of that name (tests build targets with it). */
    AssistantProvider providersForTest(String name) {
        return providers.get(name);
    }

    /** Names of the providers available on this hub. */
    public java.util.Set<String> providers() {
        return java.util.Collections.unmodifiableSet(providers.keySet());
    }

    /** A provider and the model to ask it for. */
    public record Target(AssistantProvider provider, String model) {
        /** {@code provider/model} as shown to callers. */
        public String label() {
            return provider.name() + "/" + model;
        }
    }

    /**
     * Resolves {@code requested} for {@code tenant}: empty or {@code default} means the tenant's assistant; a name the
     * tenant made an alias, what the alias names; otherwise {@code provider}, {@code provider/model} or a bare model
     * name ({@link #bareModel}).
     *
     * @throws ClawlessException.Validation (field {@code model}) for an unknown or unavailable provider
     */
    public Target resolve(Tenant tenant, String requested) {
        return resolve(tenant, requested, true);
    }

    private Target resolve(Tenant tenant, String requested, boolean aliases) {
        String spec = requested == null || requested.isBlank() || requested.equals("default")
                ? tenantChoice(tenant)
                : requested.strip();
        int slash = spec.indexOf('/');
        String providerName = slash < 0 ? spec : spec.substring(0, slash);
        String model = slash < 0 ? "" : spec.substring(slash + 1);
        boolean named = !(requested == null || requested.isBlank() || requested.equals("default"));
        String alias = aliases && named && slash < 0 ? tenant.settings().assistant().aliases().get(spec) : null;
        if (alias != null) {
            return resolve(tenant, alias, false); // what an alias names is never another alias
        }
        AssistantProvider provider = providers.get(providerName);
        if (provider == null && slash < 0 && named) {
            return bareModel(tenant, spec);
        }
        if (provider == null) {
            throw ClawlessException.Validation.of("model", "'" + printable(spec) + "' is not available on this hub;"
                    + " use one of " + providers.keySet().stream().map(p -> p + "/…").toList() + " or default");
        }
        return new Target(provider, model.isEmpty() || model.equals("default") ? provider.defaultModel() : model);
    }

    /**
     * The tenant's assistant as {@code provider[/model]}; {@code auto} (a tenant that never chose) is the first LLM
     * this hub configured — openai, anthropic, ollama — with its default model, else the retrieval assistant.
     */
    private String tenantChoice(Tenant tenant) {
        var a = tenant.settings().assistant();
        if (a.provider().equals(dev.clawless.core.tenant.AssistantSettings.AUTO)) {
            for (String llm : List.of("openai", "anthropic", "ollama")) {
                if (providers.containsKey(llm)) {
                    return llm;
                }
            }
            return RetrievalProvider.NAME;
        }
        return a.provider() + a.model().map(m -> "/" + m).orElse("");
    }

    /**
     * A bare model name, as OpenAI clients send one ({@code gpt-4o-mini}, LangChain's default {@code gpt-3.5-turbo},
     * {@code claude-sonnet-4-5}, {@code llama3.1}): the provider of its family when this hub configured it (OpenAI's
     * names, Anthropic's, anything else to Ollama); otherwise the tenant's own assistant answers, and the answer's
     * {@code model} says which one did.
     */
    private Target bareModel(Tenant tenant, String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String family = lower.startsWith("gpt-") || lower.startsWith("chatgpt-") || lower.matches("o[1-9].*")
                ? "openai" : lower.startsWith("claude") ? "anthropic" : "ollama";
        AssistantProvider provider = providers.get(family);
        if (provider != null) {
            return new Target(provider, name);
        }
        return resolve(tenant, "default");
    }

    private volatile dev.clawless.core.common.Instruments instruments = dev.clawless.core.common.Instruments.NONE;

    /**
     * Where model calls are timed, their tokens counted, each a span ({@code chat <model>}, OpenTelemetry's GenAI
     * names). Metrics name a provider's default model and {@code other} for any model a client asked for by name.
     */
    public void instruments(dev.clawless.core.common.Instruments instruments) {
        this.instruments = instruments;
    }

    /**
     * Runs the request on the target, streaming deltas to {@code onDelta}. When the provider fails (error, timeout)
     * before any text was streamed, the fallback chain's providers are tried in turn with their default models.
     *
     * @throws ClawlessException.BadGateway when every provider tried failed; the detail names the last one
     * @throws ClawlessException.TooManyRequests when the last provider tried answered 429 (see
     *                                           {@link ProviderFailures})
     */
    public Completion complete(Target target, AssistantRequest request, Consumer<String> onDelta) {
        List<Target> chain = new java.util.ArrayList<>(List.of(target));
        for (String name : fallback) {
            AssistantProvider p = providers.get(name);
            // the retrieval assistant can neither call a client's tools nor write JSON: no fallback for such requests
            boolean able = !(request.needsLlm() && name.equals(RetrievalProvider.NAME));
            if (p != null && able && chain.stream().noneMatch(t -> t.provider().name().equals(name))) {
                chain.add(new Target(p, p.defaultModel()));
            }
        }
        ProviderException last = null;
        for (Target t : chain) {
            java.util.concurrent.atomic.AtomicBoolean streamed = new java.util.concurrent.atomic.AtomicBoolean();
            long started = System.nanoTime();
            io.opentelemetry.api.trace.Span span = instruments.tracer().spanBuilder("chat " + t.model())
                    .setSpanKind(io.opentelemetry.api.trace.SpanKind.CLIENT)
                    .setAttribute("gen_ai.operation.name", "chat").setAttribute("gen_ai.system", t.provider().name())
                    .setAttribute("gen_ai.request.model", t.model()).startSpan();
            try (io.opentelemetry.context.Scope scope = span.makeCurrent()) {
                Completion done = t.provider().complete(request.withModel(t.model()),
                        delta -> {
                            streamed.set(true);
                            onDelta.accept(delta);
                        });
                instruments.meters().modelCall(t.provider().name(), label(t), "ok",
                        java.time.Duration.ofNanos(System.nanoTime() - started), done.tokensIn(), done.tokensOut());
                span.setAttribute("gen_ai.usage.input_tokens", done.tokensIn())
                        .setAttribute("gen_ai.usage.output_tokens", done.tokensOut());
                return done;
            } catch (ProviderException e) {
                instruments.meters().modelCall(t.provider().name(), label(t), "error",
                        java.time.Duration.ofNanos(System.nanoTime() - started), 0, 0);
                span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, e.getClass().getSimpleName());
                last = e;
                LOG.warning(() -> e.getMessage() + (streamed.get() ? "; text was already streamed, no fallback"
                        : "; trying the next provider"));
                if (streamed.get()) {
                    break;
                }
            } finally {
                span.end();
            }
        }
        throw ProviderFailures.problem(last, chain.size() > 1
                ? " (fallbacks tried: " + chain.stream().skip(1).map(Target::label).toList() + ")" : "");
    }

    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(AssistantRuntime.class.getName());

    /** The model as metrics name it: the operator's (the provider's default), never a name a client chose. */
    private static String label(Target t) {
        return t.model().equals(t.provider().defaultModel()) ? t.model() : "other";
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() <= 80 ? p : p.substring(0, 80) + "…";
    }
}
