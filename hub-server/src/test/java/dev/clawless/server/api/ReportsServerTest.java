package dev.clawless.server.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daily usage report over HTTP, from conversations made through the API: two API sessions (one answered by the
 * assistant alone, one by an operator too) and a web chat rated after it was resolved; JSON and CSV, the admin's
 * view, another tenant's, and refused ranges.
 */
class ReportsServerTest {

    private static final String SHOP = "https://shop.example";
    static TestHub hub;

    @BeforeAll
    static void start() {
        start(Map.of());
    }

    static void start(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("CLAWLESS_WIDGET_MESSAGES_PER_MINUTE", "1000");
        hub = TestHub.start(all);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static List<JsonNode> messages(String key, String conversation) {
        List<JsonNode> out = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations/" + conversation + "/messages?limit=200", key, null)).get("data")
                .forEach(out::add);
        return out;
    }

    private static String session(String key, String question) {
        String id = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + id
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        return id;
    }

    private static void close(String key, String conversation) {
        HttpResponse<String> r = hub.call("PATCH", "/v1/conversations/" + conversation, key, "{\"status\":\"closed\"}");
        assertEquals(200, r.statusCode(), r.body());
    }

    private static HttpResponse<String> widget(String path, String token, String body) {
        HttpRequest.Builder b = hub.request(path).header("Origin", SHOP).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return hub.send(b);
    }

    private static long sum(JsonNode days, String field) {
        long n = 0;
        for (JsonNode d : days) {
            n += d.get(field).asLong();
        }
        return n;
    }

    @Test
    void theReportCountsWhatHappenedThroughTheApiDayByDay() {
        String tenant = hub.tenant("Report Shop");
        String key = hub.key(tenant, "[\"chat\",\"knowledge:admin\",\"channels:admin\",\"conversations:read\","
                + "\"conversations:write\",\"usage:read\",\"tenant:admin\"]");
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"FAQ\",\"format\":\"faq\","
                + "\"content\":[{\"q\":\"Do you ship to Canada?\",\"a\":\"Yes, in about 7 days.\"}]}").statusCode());
        // A: the assistant answers and the session is resolved
        String a = session(key, "Do you ship to Canada?");
        close(key, a);
        // B: an operator writes too
        String b = session(key, "Do you ship to Canada?");
        assertEquals(201, hub.call("POST", "/v1/conversations/" + b + "/messages", key,
                "{\"text\":\"Anything else I can do?\"}").statusCode());
        close(key, b);
        // C: a web chat, resolved, then rated 5
        JsonNode webchat = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"webchat\",\"config\":{"
                + "\"allowed_origins\":[\"" + SHOP + "\"]}}"));
        assertEquals(200, hub.call("PATCH", "/v1/inbox/settings", key, "{\"csat\":{\"enabled\":true}}").statusCode());
        HttpResponse<String> opened = widget("/widget/v1/sessions", null, "{\"publishable_key\":\""
                + webchat.get("publishable_key").asText() + "\",\"visitor_id\":\"visitor-report-1\"}");
        assertEquals(200, opened.statusCode(), opened.body());
        String token = json(opened).get("session_token").asText();
        String c = json(opened).get("conversation_id").asText();
        assertEquals(202, widget("/widget/v1/messages", token, "{\"text\":\"Do you ship to Canada?\"}").statusCode());
        TestHub.await("the answer", () -> messages(key, c).stream().anyMatch(m -> m.get("text").asText()
                .contains("7 days")));
        close(key, c);
        TestHub.await("the rating question", () -> messages(key, c).stream().anyMatch(m -> m.get("text").asText()
                .contains("How would you rate")));
        assertEquals(202, widget("/widget/v1/messages", token, "{\"text\":\"5\"}").statusCode());
        TestHub.await("the thanks", () -> messages(key, c).stream().anyMatch(m -> m.get("text").asText()
                .contains("Thank you for your rating")));
        TestHub.await("closed again", () -> json(hub.call("GET", "/v1/conversations/" + c, key, null))
                .get("status").asText().equals("closed"));

        // what the messages say, channel by channel
        Map<String, long[]> expected = new java.util.TreeMap<>();
        for (String[] conv : List.of(new String[] {a, "api"}, new String[] {b, "api"}, new String[] {c, "webchat"})) {
            long[] counts = expected.computeIfAbsent(conv[1], k -> new long[2]);
            for (JsonNode m : messages(key, conv[0])) {
                String role = m.get("role").asText();
                if (m.get("direction").asText().equals("inbound")) {
                    counts[0]++;
                } else if (role.equals("assistant") || role.equals("operator")) {
                    counts[1]++;
                }
            }
        }
        assertEquals(2, expected.get("api")[0]);
        assertEquals(3, expected.get("api")[1], "two answers and the operator's message");
        assertEquals(2, expected.get("webchat")[0], "the question and the rating");

        // yesterday to tomorrow (UTC), so a run across midnight adds up the same
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String range = "?from=" + today.minusDays(1) + "&to=" + today.plusDays(1);
        HttpResponse<String> r = hub.call("GET", "/v1/reports/usage" + range, key, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode report = json(r);
        assertEquals(today.minusDays(1).toString(), report.get("from").asText());
        assertEquals(today.plusDays(1).toString(), report.get("to").asText());
        JsonNode days = report.get("days");
        assertEquals(3, days.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(today.minusDays(1).plusDays(i).toString(), days.get(i).get("date").asText());
        }
        assertEquals(3, sum(days, "conversations"));
        assertEquals(expected.get("api")[0] + expected.get("webchat")[0], sum(days, "messages_in"));
        assertEquals(expected.get("api")[1] + expected.get("webchat")[1], sum(days, "messages_out"));
        for (String channel : expected.keySet()) {
            long in = 0;
            long out = 0;
            for (JsonNode d : days) {
                in += d.path("by_channel").path(channel).path("in").asLong();
                out += d.path("by_channel").path(channel).path("out").asLong();
            }
            assertEquals(expected.get(channel)[0], in, channel);
            assertEquals(expected.get(channel)[1], out, channel);
        }
        assertEquals(2, sum(days, "resolved_ai"), "A, and C however often it closed");
        assertEquals(1, sum(days, "resolved_human"), "B had an operator's message");
        assertEquals(1, sum(days, "csat_count"));
        JsonNode rated = null;
        for (JsonNode d : days) {
            if (d.get("csat_count").asLong() > 0) {
                rated = d;
            }
        }
        assertEquals(5.0, rated.get("csat_average").asDouble());
        JsonNode usage = json(hub.call("GET", "/v1/usage", key, null));
        assertTrue(usage.get("tokens_in").asLong() > 0);
        assertEquals(usage.get("tokens_in").asLong(), sum(days, "tokens_in"), "the same tokens as the month's");
        assertEquals(usage.get("tokens_out").asLong(), sum(days, "tokens_out"));
        long models = 0;
        for (JsonNode m : report.get("models")) {
            models += m.get("messages").asLong();
            assertEquals("retrieval", m.get("provider").asText());
        }
        assertEquals(usage.get("messages").asLong(), models);
        for (JsonNode d : days) {
            if (d.get("conversations").asLong() == 0 && d.get("messages_in").asLong() == 0) {
                assertTrue(d.get("first_response_seconds_median").isNull(), d.toString());
                assertTrue(d.get("resolution_seconds_median").isNull(), d.toString());
                assertTrue(d.get("csat_average").isNull(), d.toString());
                assertEquals(0, d.get("by_channel").size());
            } else {
                assertTrue(d.get("first_response_seconds_median").isNumber(), d.toString());
                double first = d.get("first_response_seconds_median").asDouble();
                assertTrue(first >= 0 && first < 60, d.toString());
            }
            if (d.get("resolved_ai").asLong() + d.get("resolved_human").asLong() > 0) {
                double resolution = d.get("resolution_seconds_median").asDouble();
                assertTrue(d.get("resolution_seconds_median").isNumber() && resolution > 0 && resolution < 120,
                        d.toString());
            }
        }
        assertEquals(usage.get("messages").asLong(), report.at("/quotas/used/messages").asLong());
        assertEquals(usage.at("/remaining/messages").asLong(), report.at("/quotas/remaining/messages").asLong());
        assertEquals(usage.at("/quotas/messages_per_month").asLong(),
                report.at("/quotas/limits/messages_per_month").asLong());
        assertEquals(usage.get("period").asText(), report.at("/quotas/period").asText());

        // the platform admin reads the same; another tenant reads only its own
        JsonNode asAdmin = json(hub.admin("GET", "/admin/tenants/" + tenant + "/reports/usage" + range, null));
        assertEquals(report.get("days"), asAdmin.get("days"));
        String otherKey = hub.key(hub.tenant("Quiet Shop"), "[\"usage:read\"]");
        JsonNode quiet = json(hub.call("GET", "/v1/reports/usage" + range, otherKey, null));
        assertEquals(0, sum(quiet.get("days"), "conversations") + sum(quiet.get("days"), "messages_in")
                + sum(quiet.get("days"), "tokens_in"));

        // CSV: a header and one row per day, the same figures
        HttpResponse<String> csv = hub.call("GET", "/v1/reports/usage" + range + "&format=csv", key, null);
        assertEquals(200, csv.statusCode(), csv.body());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename="),
                csv.headers().toString());
        String[] lines = csv.body().split("\r\n");
        assertEquals(4, lines.length, csv.body());
        assertEquals("date,conversations,messages_in,messages_out,resolved_ai,resolved_human,"
                + "first_response_seconds_median,resolution_seconds_median,csat_average,csat_count,tokens_in,"
                + "tokens_out,cost_usd", lines[0]);
        long csvConversations = 0;
        long csvTokens = 0;
        for (int i = 1; i < 4; i++) {
            String[] cells = lines[i].split(",", -1);
            assertEquals(13, cells.length, lines[i]);
            assertEquals(days.get(i - 1).get("date").asText(), cells[0]);
            csvConversations += Long.parseLong(cells[1]);
            csvTokens += Long.parseLong(cells[10]);
            assertFalse(cells[12].contains("E"), "plain decimals: " + cells[12]);
        }
        assertEquals(3, csvConversations);
        assertEquals(sum(days, "tokens_in"), csvTokens);
        HttpResponse<String> accepted = hub.send(hub.request("/v1/reports/usage" + range)
                .header("Authorization", "Bearer " + key).header("Accept", "text/csv").GET());
        assertEquals(csv.body(), accepted.body(), "Accept: text/csv answers the same CSV");
    }

    @Test
    void badDatesAndRangesAreRefusedNamingTheField() {
        String key = hub.key(hub.tenant("Range Shop"), "[\"usage:read\"]");
        for (String[] c : List.of(new String[] {"?from=2026-13-01", "from"}, new String[] {"?to=yesterday", "to"},
                new String[] {"?from=2026-03-02&to=2026-03-01", "to"},
                new String[] {"?from=2025-01-01&to=2026-01-02", "from"}, new String[] {"?format=xml", "format"})) {
            HttpResponse<String> r = hub.call("GET", "/v1/reports/usage" + c[0], key, null);
            assertEquals(400, r.statusCode(), c[0] + " " + r.body());
            assertEquals(c[1], json(r).at("/errors/0/field").asText(), r.body());
        }
        JsonNode defaults = json(hub.call("GET", "/v1/reports/usage", key, null));
        assertEquals(30, defaults.get("days").size(), "the last 30 days by default");
        assertEquals(LocalDate.now(ZoneOffset.UTC).toString(), defaults.get("to").asText());
        String noScope = hub.key(hub.tenant("Scopeless Shop"), "[\"chat\"]");
        assertEquals(403, hub.call("GET", "/v1/reports/usage", noScope, null).statusCode());
        assertEquals(404, hub.admin("GET", "/admin/tenants/ten_01aaaaaaaaaaaaaaaaaaaaaaaa/reports/usage", null)
                .statusCode());
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAreText() {
        assertEquals("'=1+1", ReportRoutes.cell("=1+1"));
        assertEquals("'@SUM(A1)", ReportRoutes.cell("@SUM(A1)"));
        assertEquals("\"'+1,2\"", ReportRoutes.cell("+1,2"));
        assertEquals("2026-11-30", ReportRoutes.cell("2026-11-30"));
    }
}
