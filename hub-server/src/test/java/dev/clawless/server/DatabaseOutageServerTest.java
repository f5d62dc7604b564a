package dev.clawless.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL goes away under a running hub and comes back: meanwhile every route that needs it answers 503 with
 * {@code Retry-After} (problem+json, or OpenAI's error shape on its routes) and readiness says DOWN; afterwards the
 * same hub serves again, its job worker included, without a restart.
 */
class DatabaseOutageServerTest {

    @Test
    void postgresDownAnswers503AndReadyDownThenTheHubServesAgainWithoutARestart() throws Exception {
        Path pgData = Files.createTempDirectory("clawless-pg-outage-");
        int pgPort = freePort();
        EmbeddedPostgres pg = postgres(pgData, pgPort);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE clawless_outage");
        }
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_DB_URL", pg.getJdbcUrl("postgres", "clawless_outage"),
                "CLAWLESS_DB_USERNAME", "postgres", "CLAWLESS_DB_CONNECT_TIMEOUT", "1s"))) {
            String tenant = hub.tenant("outage");
            String key = hub.key(tenant, "[\"chat\",\"conversations:read\",\"conversations:write\"]");
            assertEquals(200, hub.call("GET", "/health/ready", null, null).statusCode());
            assertEquals(200, ask(hub, key).statusCode(), "a turn through the job worker before the outage");

            pg.close();
            try {
                TestHub.await("readiness reports the database DOWN", () -> {
                    HttpResponse<String> r = hub.call("GET", "/health/ready", null, null);
                    return r.statusCode() == 503 && json(r).get("status").asText().equals("DOWN");
                });
                HttpResponse<String> api = hub.call("GET", "/v1/conversations", key, null);
                assertEquals(503, api.statusCode(), api.body());
                assertEquals("application/problem+json", api.headers().firstValue("Content-Type").orElse(""));
                assertEquals("5", api.headers().firstValue("Retry-After").orElse(""));
                JsonNode problem = json(api);
                assertEquals("urn:clawless:problem:unavailable", problem.get("type").asText());
                assertEquals(503, problem.get("status").asInt());

                HttpResponse<String> openAi = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"default\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}");
                assertEquals(503, openAi.statusCode(), openAi.body());
                assertEquals("5", openAi.headers().firstValue("Retry-After").orElse(""));
                assertEquals("api_error", json(openAi).at("/error/type").asText());
                assertEquals("unavailable", json(openAi).at("/error/code").asText());

                HttpResponse<String> webhook = hub.send(hub.request("/hooks/con_01m95df9bw46yka03x424mhzq9")
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"update_id\":1}")));
                assertEquals(503, webhook.statusCode(), "a platform retries a webhook it was refused: "
                        + webhook.body());
                assertEquals("5", webhook.headers().firstValue("Retry-After").orElse(""));

                assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode(), "the process lives on");
            } finally {
                pg = postgres(pgData, pgPort);
            }

            TestHub.await("readiness reports the database UP again", () ->
                    hub.call("GET", "/health/ready", null, null).statusCode() == 200);
            assertEquals(200, hub.call("GET", "/v1/conversations", key, null).statusCode());
            HttpResponse<String> after = ask(hub, key);
            assertEquals(200, after.statusCode(), "the job worker claims and runs turns again: " + after.body());
            assertTrue(json(after).at("/choices/0/message/content").isTextual(), after.body());
        } finally {
            pg.close();
        }
    }

    /** A turn in a session: enqueued, claimed and run by the job worker, answered when it is done. */
    private static HttpResponse<String> ask(TestHub hub, String key) {
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        return hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is my parcel?\"}]}");
    }

    /** A PostgreSQL server on {@code port} keeping its data in {@code data} across stops. */
    private static EmbeddedPostgres postgres(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
