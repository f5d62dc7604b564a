package dev.clawless.core.common;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A trace's context across the hub's queues: work that queues more work (a webhook's event, a turn's delivery) stores
 * the current span's W3C {@code traceparent} with it, and whoever picks it up later, on another thread or node,
 * continues that trace. Without tracing configured there is no current span and nothing is stored.
 */
public final class Tracing {

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Tracing() {
    }

    /** The current span's {@code traceparent}, when a sampled span is current. */
    public static Optional<String> currentParent() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid() || !span.isSampled()) {
            return Optional.empty();
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return Optional.ofNullable(carrier.get("traceparent"));
    }

    /** The context a stored {@code traceparent} continues (the root context for none or a malformed one). */
    public static Context parent(Optional<String> traceParent) {
        if (traceParent.isEmpty()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent",
                traceParent.get()), GETTER);
    }
}
