package dev.clawless.server.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;

import dev.clawless.server.TestHub;

/**
 * A message's path as one trace, exported by OTLP to a fake collector (WireMock answering the OTLP/HTTP route,
 * the protobuf bodies decoded with OpenTelemetry's own message classes): the webhook request that carried a
 * caller's {@code traceparent}, the turn job, the model call inside it, the delivery job, and the call to the
 * (fake) Telegram Bot API — each a child of the one before it, all in the caller's trace.
 */
class TracingServerTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static WireMockServer fake;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        fake = FakeTelegram.start();
        fake.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-protobuf")));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_TRACING_OTLP_ENDPOINT", fake.baseUrl() + "/v1/traces"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        fake.stop();
    }

    /** Every span the collector received so far. */
    private static List<Span> received() {
        List<Span> spans = new ArrayList<>();
        for (LoggedRequest r : fake.findAll(postRequestedFor(urlEqualTo("/v1/traces")))) {
            try {
                ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(r.getBody());
                export.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                        .forEach(ss -> spans.addAll(ss.getSpansList())));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not an OTLP trace export", e);
            }
        }
        return spans;
    }

    private static Optional<Span> named(List<Span> spans, String prefix) {
        return spans.stream().filter(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(TRACE_ID))
                .filter(s -> s.getName().startsWith(prefix)).findFirst();
    }

    @Test
    void aTelegramMessageIsOneTraceFromWebhookToReply() {
        String key = hub.key(hub.tenant("Traced"), "[\"channels:admin\",\"conversations:read\"]");
        String connection = FakeTelegram.connect(hub, key, fake, "700010:TEST-tracing", "tracing-secret-0123456789");
        assertEquals(200, FakeTelegram.message(hub, connection, "tracing-secret-0123456789", 601,
                "How do I reset my password?", "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01"));

        TestHub.await("the reply's platform call exported", () -> named(received(), "send telegram").isPresent());
        List<Span> spans = received();
        Span webhook = named(spans, "POST /hooks/{id}").orElseThrow(() -> new AssertionError(names(spans)));
        Span turn = named(spans, "assistant_turn").orElseThrow(() -> new AssertionError(names(spans)));
        Span model = named(spans, "chat ").orElseThrow(() -> new AssertionError(names(spans)));
        Span deliver = named(spans, "deliver").orElseThrow(() -> new AssertionError(names(spans)));
        Span send = named(spans, "send telegram").orElseThrow(() -> new AssertionError(names(spans)));

        assertEquals("00f067aa0ba902b7", HexFormat.of().formatHex(webhook.getParentSpanId().toByteArray()),
                "the webhook's span continues the caller's");
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, webhook.getKind());
        assertEquals(webhook.getSpanId(), turn.getParentSpanId(), "the turn continues the webhook's trace");
        assertEquals(turn.getSpanId(), model.getParentSpanId(), "the model call is inside the turn");
        assertEquals(turn.getSpanId(), deliver.getParentSpanId(), "the delivery was queued by the turn");
        assertEquals(deliver.getSpanId(), send.getParentSpanId(), "the platform call is inside the delivery");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, send.getKind());
        assertTrue(model.getAttributesList().stream().anyMatch(a -> a.getKey().equals("gen_ai.request.model")),
                model.toString());
    }

    private static String names(List<Span> spans) {
        return spans.stream().map(s -> s.getName() + " " + HexFormat.of().formatHex(s.getTraceId().toByteArray()))
                .toList().toString();
    }
}
