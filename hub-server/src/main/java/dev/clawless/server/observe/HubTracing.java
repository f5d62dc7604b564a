package dev.clawless.server.observe;

import java.time.Duration;
import java.util.Optional;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/**
 * The node's tracer: OpenTelemetry's SDK exporting spans by OTLP over HTTP (protobuf) to
 * {@code clawless.tracing.otlp-endpoint} in batches, or a no-op tracer when none is configured. A message's path is
 * one trace: the webhook request's span, then the spans of the turn and delivery jobs it leads to (their parent is
 * stored with the inbound event and the job, {@link dev.clawless.core.common.Tracing}), with the model call and the
 * platform call inside them. An incoming W3C {@code traceparent} header is continued.
 */
public final class HubTracing implements AutoCloseable {

    private final OpenTelemetry openTelemetry;
    private final Optional<SdkTracerProvider> provider;

    private HubTracing(OpenTelemetry openTelemetry, Optional<SdkTracerProvider> provider) {
        this.openTelemetry = openTelemetry;
        this.provider = provider;
    }

    /** Tracing to {@code endpoint} (e.g. {@code http://collector:4318/v1/traces}), or none. */
    public static HubTracing of(Optional<String> endpoint, String version) {
        if (endpoint.isEmpty()) {
            return new HubTracing(OpenTelemetry.noop(), Optional.empty());
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint.get())
                .setTimeout(Duration.ofSeconds(10)).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
                        .put("service.name", "clawless-hub").put("service.version", version).build())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(2))
                        .build())
                .build();
        return new HubTracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build(), Optional.of(provider));
    }

    public Tracer tracer() {
        return openTelemetry.getTracer("dev.clawless.hub");
    }

    public boolean enabled() {
        return provider.isPresent();
    }

    /** Sends what is buffered and stops. */
    @Override
    public void close() {
        provider.ifPresent(p -> p.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS));
    }
}
