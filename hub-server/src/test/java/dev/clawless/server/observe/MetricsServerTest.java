package dev.clawless.server.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.clawless.server.TestHub;

/**
 * {@code /metrics} after a hub has done the work each family counts — a chat answered by the embedded assistant (a
 * model call), a Telegram message answered and delivered through a fake Bot API (jobs, platform sends, deliveries),
 * an event delivered to a tenant's webhook — and every metric the Grafana dashboard in {@code docs/} plots is there.
 */
class MetricsServerTest {

    private static WireMockServer fake;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        fake = FakeTelegram.start();
        fake.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        fake.stop();
    }

    private static String scrape() {
        HttpResponse<String> r = hub.call("GET", "/metrics", null, null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    @Test
    void everyFamilyTheDashboardPlotsIsExposedOnceItsWorkHappened() throws IOException {
        String key = hub.key(hub.tenant("Metered"), "[\"chat\",\"webhooks:admin\",\"channels:admin\","
                + "\"conversations:read\"]");
        assertEquals(201, hub.call("POST", "/v1/webhooks", key, "{\"url\":\"" + fake.baseUrl() + "/hook\","
                + "\"events\":[\"message.created\"]}").statusCode());
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        assertEquals(200, hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}").statusCode());

        String connection = FakeTelegram.connect(hub, key, fake, "700009:TEST-metrics", "metrics-secret-0123456789");
        assertEquals(200, FakeTelegram.message(hub, connection, "metrics-secret-0123456789", 501, "hola"));

        TestHub.await("the Telegram reply delivered and the webhook called", () -> {
            String m = scrape();
            return m.contains("clawless_deliveries_total{channel=\"telegram\",outcome=\"delivered\"}")
                    && m.contains("clawless_webhook_deliveries_total{outcome=\"delivered\"}");
        });
        // GC pauses are timed as they happen: one has to have happened in this JVM since the hub started
        System.gc();
        TestHub.await("a GC pause recorded", () -> scrape().contains("jvm_gc_pause_seconds_sum{"));
        String metrics = scrape();
        assertTrue(metrics.contains("clawless_channel_sends_total{channel=\"telegram\",outcome=\"sent\"}"), metrics);
        assertTrue(metrics.contains("clawless_jobs_run_seconds_count{kind=\"deliver\",outcome=\"completed\"}"),
                metrics);
        assertTrue(metrics.contains("clawless_model_calls_seconds_count{model="), metrics);
        assertTrue(metrics.contains("clawless_model_calls_seconds_bucket{"), "model latency has buckets");
        assertTrue(metrics.contains("clawless_jobs{kind=\"assistant_turn\",status=\"queued\"}"),
                "every kind has its series from the start");
        assertTrue(metrics.contains("hikaricp_connections_active{pool=\"clawless\"}"), metrics);
        assertFalse(metrics.contains("ten_"), "no ids in labels");

        // every family the dashboard's queries name
        JsonNode dashboard = TestHub.json(Files.readString(Path.of("..", "docs", "grafana", "clawless-hub.json")));
        List<String> missing = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:clawless|hikaricp|jvm|process)_[a-z_]+)\\{");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = metric.matcher(target.get("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        for (String name : names) {
            if (!Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(metrics).find()) {
                missing.add(name);
            }
        }
        assertTrue(names.size() >= 15, names.toString());
        assertEquals(List.of(), missing, "dashboard metrics not exposed");
    }
}
