package dev.clawless.server.channels;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.HostileTexts;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text that is empty to a reader but not to a parser — zero-width and format characters, NUL, lone surrogates, the
 * replacement character, tag characters — on every entry point that takes text, on both databases, in a tenant that
 * has knowledge and an intent (so every message is embedded): each answers 2xx or a 4xx problem, never 5xx, and
 * every message a platform delivered is stored and answered.
 */
class HostileTextServerTest {

    private static final String TG_SECRET = "s3cr3t_T0ken-hostile";
    private static final String APP_SECRET = "6f1d8c0b2a3e4f5d6c7b8a9e0f1d2c3b";
    private static final String MAIL_SECRET = "mail-secret-0123456789abcdef";
    private static WireMockServer platform;

    @BeforeAll
    static void fakes() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        platform.stubFor(post(urlMatching("/bot.*/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                + "{\"message_id\":{{randomInt lower=10000 upper=2000000000}},\"date\":1736935300,\"chat\":"
                + "{\"id\":1,\"type\":\"private\"},\"text\":\"x\"}}")));
        platform.stubFor(post(urlMatching("/bot.*")).atPriority(10).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        platform.stubFor(post(urlMatching("/v21.0/.*/messages")).willReturn(okJson("{\"messaging_product\":"
                + "\"whatsapp\",\"messages\":[{\"id\":\"wamid.{{randomValue length=24 type='ALPHANUMERIC'}}\"}]}")));
        platform.stubFor(post(urlMatching("/2010-04-01/Accounts/.*/Messages.json")).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        platform.stubFor(post(anyUrl()).atPriority(20).willReturn(okJson("{}")));
    }

    @AfterAll
    static void stopFakes() {
        platform.stop();
    }

    @Test
    void everyEntryPointSurvivesInvisibleTextOnH2() throws Exception {
        try (TestHub hub = TestHub.start(env(Map.of()))) {
            corpusSurvives(hub);
        }
    }

    @Test
    void everyEntryPointSurvivesInvisibleTextOnPostgresql() throws Exception {
        DatabaseConfig pg = TestDatabases.postgresql();
        try (TestHub hub = TestHub.start(env(Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME",
                pg.username())))) {
            corpusSurvives(hub);
        }
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        env.put("CLAWLESS_WIDGET_MESSAGES_PER_MINUTE", "10000");
        return env;
    }

    /** JSON string literal with every non-ASCII and control character escaped, lone surrogates included. */
    private static String lit(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void corpusSurvives(TestHub hub) throws Exception {
        String tenant = hub.tenant("Hostile text");
        String key = hub.key(tenant, "[\"chat\",\"knowledge:admin\",\"channels:admin\",\"conversations:read\","
                + "\"conversations:write\"]");
        // knowledge and an intent: every inbound message goes through the embedder
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"FAQ\",\"format\":\"faq\","
                + "\"content\":[{\"q\":\"Do you ship to Canada?\",\"a\":\"Yes, in about 7 days.\"}]}").statusCode());
        assertEquals(201, hub.call("POST", "/v1/intents", key, "{\"name\":\"shipping\",\"examples\":"
                + "[\"where is my parcel\",\"do you ship abroad\"]}").statusCode());
        String api = platform.baseUrl();
        String telegram = ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"config\":{\"mode\":\"webhook\","
                + "\"api_base_url\":\"" + api + "\"},\"secrets\":{\"bot_token\":\"700001:TEST-hostile\","
                + "\"webhook_secret\":\"" + TG_SECRET + "\"}}").get("id").asText();
        String meta = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"meta\","
                + "\"phone_number_id\":\"106540352242922\",\"api_base_url\":\"" + api + "\"},\"secrets\":"
                + "{\"access_token\":\"EAAGhostile\",\"app_secret\":\"" + APP_SECRET + "\",\"verify_token\":"
                + "\"verify-me-123\"}}").get("id").asText();
        String account = "AC" + "e".repeat(32);
        String twilio = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"twilio\","
                + "\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + api + "\"},\"secrets\":{\"account_sid\":\""
                + account + "\",\"auth_token\":\"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"}}").get("id").asText();
        String mail = ChannelKit.connect(hub, key, "{\"type\":\"email\",\"config\":{\"mode\":\"webhook\",\"address\":"
                + "\"bot@clawless.example.com\"},\"secrets\":{\"webhook_secret\":\"" + MAIL_SECRET + "\"}}")
                .get("id").asText();
        JsonNode web = ChannelKit.connect(hub, key, "{\"type\":\"webchat\",\"config\":{\"allowed_origins\":"
                + "[\"https://shop.example\"]}}");
        HttpResponse<String> opened = hub.send(hub.request("/widget/v1/sessions").header("Origin",
                "https://shop.example").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"publishable_key\":\"" + web.get("publishable_key").asText() + "\"}")));
        assertEquals(200, opened.statusCode(), opened.body());
        String widgetToken = json(opened).get("session_token").asText();
        String session = json(hub.call("POST", "/v1/sessions", key, "{\"title\":\"hostile\"}")).get("id").asText();

        List<String> corpus = HostileTexts.EMPTY_FOR_READERS;
        Map<String, Integer> delivered = new HashMap<>();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            String text = corpus.get(i);
            int n = i + 1;
            String what = "#" + n + " " + text.codePoints().boxed().toList();
            byte[] update = ("{\"update_id\":" + (900000 + n) + ",\"message\":{\"message_id\":" + (500 + n)
                    + ",\"from\":{\"id\":" + (4200 + n) + ",\"is_bot\":false,\"first_name\":\"Eve\"},\"chat\":{\"id\":"
                    + (4200 + n) + ",\"type\":"
                    + "\"private\"},\"date\":1736935200,\"text\":" + lit(text) + "}}").getBytes(StandardCharsets.UTF_8);
            expect(answers, delivered, "telegram", what, 200, () -> ChannelKit.hook(hub, telegram, "application/json",
                    update, "X-Telegram-Bot-Api-Secret-Token", TG_SECRET));
            byte[] wa = ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":"
                    + "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
                    + "\"contacts\":[{\"profile\":{\"name\":" + lit(text) + "},\"wa_id\":\"4915112345678\"}],"
                    + "\"messages\":[{\"from\":\"4915112345678\",\"id\":\"wamid.hostile" + n + "\",\"timestamp\":"
                    + "\"1763784001\",\"text\":{\"body\":" + lit(text) + "},\"type\":\"text\"}]},\"field\":"
                    + "\"messages\"}]}]}").getBytes(StandardCharsets.UTF_8);
            expect(answers, delivered, "meta", what, 200, () -> ChannelKit.hook(hub, meta, "application/json", wa,
                    "X-Hub-Signature-256", sign(wa)));
            String form = "MessageSid=SM" + String.format("%032x", n) + "&AccountSid=" + account
                    + "&From=whatsapp%3A%2B4915112345678&To=whatsapp%3A%2B14155238886&NumMedia=0&Body="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&ProfileName="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8);
            String url = hub.hub().baseUrl() + "/hooks/" + twilio;
            expect(answers, delivered, "twilio", what, 200, () -> {
                try {
                    return ChannelKit.hook(hub, twilio, "application/x-www-form-urlencoded",
                            form.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature",
                            WhatsAppServerTestSignatures.twilio("9f8e7d6c5b4a39281706f5e4d3c2b1a0", url, form));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            String mime = "From: Eve <eve@example.com>\r\nTo: bot@clawless.example.com\r\nSubject: "
                    + "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))
                    + "?=\r\nMessage-ID: <hostile-" + n + "@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: "
                    + "text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                    + Base64.getMimeEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\r\n";
            byte[] multipart = ("--xYzZY\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n" + mime
                    + "\r\n--xYzZY--\r\n").getBytes(StandardCharsets.UTF_8);
            expect(answers, delivered, "email", what, 200, () -> hub.send(hub.request("/hooks/" + mail + "?key="
                    + MAIL_SECRET).header("Content-Type", "multipart/form-data; boundary=xYzZY")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart))));
            // only whitespace is "blank" to the API (400); everything else a visitor may send
            boolean blank = text.isBlank();
            expect(answers, delivered, "webchat", what, blank ? 400 : 202, () -> hub.send(hub.request("/widget/v1/messages")
                    .header("Origin", "https://shop.example").header("Authorization", "Bearer " + widgetToken)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"text\":" + lit(text) + ",\"client_message_id\":\"hostile-msg-" + n + "\"}"))));
            expect(answers, delivered, "completions", what, 200, () -> hub.call("POST", "/v1/chat/completions", key,
                    "{\"messages\":[{\"role\":\"user\",\"content\":" + lit(text) + "}]}"));
            expect(answers, delivered, "session", what, 200, () -> hub.call("POST", "/v1/chat/completions", key,
                    "{\"session_id\":\"" + session + "\",\"messages\":[{\"role\":\"user\",\"content\":" + lit(text)
                    + "}]}"));
            expect(answers, delivered, "search", what, blank ? 400 : 200, () -> hub.call("POST", "/v1/knowledge/search", key,
                    "{\"query\":" + lit(text) + "}"));
            // nothing a reader could learn from: refused with the field named
            expect(answers, delivered, "intent", what, 400, () -> hub.call("POST", "/v1/intents", key,
                    "{\"name\":\"empty" + n + "\",\"examples\":[" + lit(text) + "]}"));
            expect(answers, delivered, "faq", what, 400, () -> hub.call("POST", "/v1/knowledge/documents", key,
                    "{\"title\":\"x\",\"format\":\"faq\",\"content\":[{\"q\":" + lit(text) + ",\"a\":\"y\"}]}"));
            expect(answers, delivered, "search-status", what, 200, () -> hub.call("POST", "/v1/knowledge/search",
                    key, "{\"query\":\"shipping to Canada " + lit(text).replace("\"", "") + "\"}"));
        }
        assertTrue(answers.isEmpty(), String.join("\n", answers));

        // every message a platform or visitor sent is stored, and every turn ran (no job died)
        for (String channel : List.of("telegram", "whatsapp", "email", "webchat")) {
            long stored = ChannelKit.conversations(hub, key, channel).stream()
                    .mapToLong(c -> ChannelKit.messages(hub, key, c.get("id").asText()).stream()
                            .filter(m -> m.get("direction").asText().equals("inbound")).count()).sum();
            long sent = channel.equals("whatsapp") ? delivered.get("meta") + delivered.get("twilio")
                    : channel.equals("webchat") ? delivered.get(channel) - blanks(corpus) : delivered.get(channel);
            if (channel.equals("email")) {
                assertTrue(stored <= sent, "email stores what has text: " + stored);
            } else {
                assertEquals(sent, stored, channel);
            }
        }
        try {
            ChannelKit.await("every turn and delivery done", () -> count(hub, "SELECT COUNT(*) FROM jobs WHERE"
                    + " status IN ('queued', 'running')") == 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + hub.hub().database().execute().createQuery("SELECT kind,"
                    + " status, attempts, last_error FROM jobs WHERE status IN ('queued', 'running')").execute()
                    .map(r -> r.column(1).get(String.class) + " " + r.column(2).get(String.class) + " "
                            + r.column(3).get(Object.class) + " " + r.column(4).get(String.class)).toList());
        }
        assertEquals(0, count(hub, "SELECT COUNT(*) FROM jobs WHERE status = 'dead'"),
                () -> hub.hub().database().execute().createQuery("SELECT kind, last_error FROM jobs WHERE status ="
                        + " 'dead'").execute().map(r -> r.column(1).get(String.class) + ": "
                        + r.column(2).get(String.class)).toList().toString());
        assertEquals(200, hub.call("GET", "/health/ready", null, null).statusCode());
    }

    private static long blanks(List<String> corpus) {
        return corpus.stream().filter(String::isBlank).count();
    }

    private static long count(TestHub hub, String sql) {
        return hub.hub().database().execute().createGet(sql).execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    private static void expect(List<String> problems, Map<String, Integer> delivered, String entry, String what,
                               int wanted, Supplier<HttpResponse<String>> call) {
        HttpResponse<String> r = call.get();
        if (r.statusCode() != wanted) {
            problems.add(entry + " " + what + ": " + r.statusCode() + " " + r.body());
            return;
        }
        if (r.statusCode() >= 400 && !r.headers().firstValue("Content-Type").orElse("").contains("json")) {
            problems.add(entry + " " + what + ": no problem body");
        }
        delivered.merge(entry, 1, Integer::sum);
    }

    private static String sign(byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
