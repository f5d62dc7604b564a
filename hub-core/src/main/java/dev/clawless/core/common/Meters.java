package dev.clawless.core.common;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * What the hub's modules count, named once: each method records one event on the node's meter registry (Micrometer;
 * the server renders it for Prometheus at {@code /metrics}). Tag values are bounded sets — job kinds, channel types,
 * provider and model names the operator configured, outcomes from a fixed list — never ids or free text.
 * {@link #NONE} records nothing (a module used without a server, in tests).
 */
public final class Meters {

    /** Records nothing. */
    public static final Meters NONE = new Meters(new CompositeMeterRegistry());

    /** Most distinct provider/model pairs tagged; beyond, {@code other} (a client may name models freely). */
    static final int MAX_MODELS = 50;
    /** Latency buckets of model calls: the retrieval assistant's milliseconds to a long LLM answer's minute. */
    private static final Duration[] MODEL_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60)};
    private final MeterRegistry registry;
    private final java.util.Set<String> models = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * One run of a job, and how it ended: {@code completed}, {@code retry} (counts as an attempt), {@code postponed},
     * {@code failed} (to be retried), {@code dead} (out of attempts), {@code abandoned} (the node stopping).
     */
    public void job(String kind, String outcome, Duration took) {
        Timer.builder("clawless.jobs.run").description("Job runs, by kind and outcome")
                .tag("kind", kind).tag("outcome", outcome).register(registry).record(took);
    }

    /** One platform call of a reply's delivery: {@code sent}, {@code throttled}, {@code refused} (4xx), {@code failed}. */
    public void channelSend(String channel, String outcome) {
        Counter.builder("clawless.channel.sends").description("Platform calls sending reply parts, by channel and"
                + " outcome").tag("channel", channel).tag("outcome", outcome).register(registry).increment();
    }

    /** A reply's delivery ended: {@code delivered} or {@code failed} (window closed, connection gone, out of time). */
    public void delivery(String channel, String outcome) {
        Counter.builder("clawless.deliveries").description("Replies delivered or given up, by channel")
                .tag("channel", channel).tag("outcome", outcome).register(registry).increment();
    }

    /** One model call: latency, outcome ({@code ok} or {@code error}) and, when it answered, tokens in and out. */
    public void modelCall(String provider, String requestedModel, String outcome, Duration took, int tokensIn,
                          int tokensOut) {
        String pair = provider + "/" + requestedModel;
        String model = models.contains(pair) || (models.size() < MAX_MODELS && models.add(pair)) ? requestedModel
                : "other";
        Timer.builder("clawless.model.calls").description("Calls to model providers, by provider, model and outcome")
                .tag("provider", provider).tag("model", model).tag("outcome", outcome)
                .serviceLevelObjectives(MODEL_BUCKETS).register(registry).record(took);
        if (tokensIn > 0) {
            Counter.builder("clawless.model.tokens").description("Tokens of model calls, by provider, model and"
                    + " direction").tag("provider", provider).tag("model", model).tag("direction", "in")
                    .register(registry).increment(tokensIn);
        }
        if (tokensOut > 0) {
            Counter.builder("clawless.model.tokens").description("Tokens of model calls, by provider, model and"
                    + " direction").tag("provider", provider).tag("model", model).tag("direction", "out")
                    .register(registry).increment(tokensOut);
        }
    }

    /** One attempt to deliver an event to a tenant's webhook: {@code delivered}, {@code gone} (410), {@code failed}. */
    public void webhookDelivery(String outcome) {
        Counter.builder("clawless.webhook.deliveries").description("Attempts to deliver events to tenants' webhooks,"
                + " by outcome").tag("outcome", outcome).register(registry).increment();
    }
}
