package dev.clawless.core.common;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;

/**
 * What a module reports its work to: the node's {@link Meters} and its tracer (spans, {@link Tracing}). Set once while
 * wiring; {@link #NONE} reports nothing.
 */
public record Instruments(Meters meters, Tracer tracer) {

    public static final Instruments NONE = new Instruments(Meters.NONE, OpenTelemetry.noop().getTracer("clawless"));
}
