package dev.clawless.server;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.clawless.core.backup.BackupRefused;
import dev.clawless.core.backup.Restore;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.server.marketplace.PluginKit;

/**
 * A hub backed up while it serves chats, restored into a fresh hub on the other database (H2 → PostgreSQL), backed up
 * there and restored again (PostgreSQL → H2): tenants, conversations and their messages, API keys (still accepted),
 * a Telegram connection (its sealed webhook secret still opens) and a plugin installation (its JAR back in the store)
 * come through; ids made after a restore do not collide with restored ones.
 */
class BackupServerTest {

    private static final String MASTER_KEY = Base64.getEncoder().encodeToString(SecretVault.newKey());
    private static final String SECRET = "backup-webhook-secret-0123456789";
    private static final String KEY_SCOPES = "[\"chat\",\"conversations:read\",\"conversations:write\","
            + "\"channels:admin\",\"plugins:admin\",\"tenant:admin\"]";
    private static WireMockServer telegram;

    @BeforeAll
    static void fakes() {
        telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        telegram.start();
        telegram.stubFor(post(urlMatching("/bot.*")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
    }

    @AfterAll
    static void stop() {
        telegram.stop();
    }

    /** What a tenant holds, as its API shows it: conversations with their messages, in order. */
    private static Map<String, List<String>> conversations(TestHub hub, String key) {
        Map<String, List<String>> all = new TreeMap<>();
        String cursor = null;
        do {
            JsonNode page = json(hub.call("GET", "/v1/conversations?limit=100"
                    + (cursor == null ? "" : "&cursor=" + cursor), key, null));
            for (JsonNode c : page.get("data")) {
                List<String> messages = new ArrayList<>();
                json(hub.call("GET", "/v1/conversations/" + c.get("id").asText() + "/messages?limit=100", key, null))
                        .get("data").forEach(m -> messages.add(m.get("id").asText() + " " + m.get("role").asText()
                                + " " + m.path("text").asText()));
                all.put(c.get("id").asText() + " " + c.get("channel").asText() + " " + c.get("status").asText(),
                        messages);
            }
            cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asText(null) : null;
        } while (cursor != null);
        return all;
    }

    private static HttpResponse<String> chat(TestHub hub, String key, String session, String text) {
        return hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    }

    private static HttpResponse<String> telegramUpdate(TestHub hub, String connection, int n, String secret) {
        String body = "{\"update_id\":" + (9000 + n) + ",\"message\":{\"message_id\":" + n + ",\"from\":{\"id\":4242,"
                + "\"is_bot\":false,\"first_name\":\"Ana\"},\"chat\":{\"id\":4242,\"type\":\"private\",\"first_name\":"
                + "\"Ana\"},\"date\":1765000000,\"text\":\"update " + n + "\"}}";
        return hub.send(hub.request("/hooks/" + connection).header("Content-Type", "application/json")
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    private static Path backup(TestHub hub) throws IOException {
        HttpResponse<String> made = hub.admin("POST", "/admin/backups", null);
        assertEquals(201, made.statusCode(), made.body());
        String name = json(made).get("name").asText();
        assertTrue(hub.admin("GET", "/admin/backups", null).body().contains(name));
        // the download is the archive, byte for byte
        HttpResponse<byte[]> download = hub.sendBytes(hub.request("/admin/backups/" + name)
                .header("Authorization", "Bearer " + TestHub.ADMIN_TOKEN));
        assertEquals(200, download.statusCode());
        Path copy = Files.createTempDirectory("clawless-backup-download-").resolve(name);
        Files.write(copy, download.body());
        assertEquals(404, hub.admin("GET", "/admin/backups/..%2Fmaster-key", null).statusCode());
        return copy;
    }

    private static long maxJobId(TestHub hub) {
        return hub.hub().database().execute().createGet("SELECT COALESCE(MAX(id), 0) FROM jobs").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    private static Map<String, String> env(DatabaseConfig db, Path data) {
        Map<String, String> env = new HashMap<>();
        env.put("CLAWLESS_MASTER_KEY", MASTER_KEY);
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"); // the fake Telegram is on this machine
        env.put("CLAWLESS_DATA_DIR", data.toString());
        if (!db.url().startsWith("jdbc:h2:")) {
            env.put("CLAWLESS_DB_URL", db.url());
            env.put("CLAWLESS_DB_USERNAME", db.username());
        } else {
            env.put("CLAWLESS_DB_URL", db.url());
        }
        return env;
    }

    @Test
    void backedUpUnderLoadRestoredIntoPostgresqlAndBackIntoH2() throws Exception {
        Path dataA = Files.createTempDirectory("clawless-backup-a-");
        DatabaseConfig h2A = new DatabaseConfig(DatabaseConfig.h2FileUrl(dataA), "", "", 4,
                java.time.Duration.ofSeconds(5));
        String key;
        String otherKey;
        String connection;
        String installation;
        Map<String, List<String>> before;
        Path archive;
        List<String> ackedBefore = new ArrayList<>();
        try (TestHub a = TestHub.start(env(h2A, dataA))) {
            key = a.key(a.tenant("Backed up"), KEY_SCOPES);
            otherKey = a.key(a.tenant("Other"), "[\"chat\",\"conversations:read\"]");
            for (int i = 0; i < 3; i++) {
                String session = json(a.call("POST", "/v1/sessions", key, null)).get("id").asText();
                assertEquals(200, chat(a, key, session, "question " + i).statusCode());
            }
            assertEquals(200, chat(a, otherKey, json(a.call("POST", "/v1/sessions", otherKey, null)).get("id")
                    .asText(), "other tenant").statusCode());
            HttpResponse<String> c = a.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"name\":\"Bot\","
                    + "\"config\":{\"mode\":\"webhook\",\"api_base_url\":\"" + telegram.baseUrl() + "\"},"
                    + "\"secrets\":{\"bot_token\":\"700001:TEST-backup\",\"webhook_secret\":\"" + SECRET + "\"}}");
            assertEquals(201, c.statusCode(), c.body());
            connection = json(c).get("id").asText();
            assertEquals(200, telegramUpdate(a, connection, 1, SECRET).statusCode());
            a.inboundDerived();
            String publisher = a.key(a.tenant("Publisher"), "[\"plugins:admin\"]");
            PluginKit.publish(a, publisher, PluginKit.built("plugin-template"));
            installation = PluginKit.install(a, key, "hello-template", "1.0.0", "{\"greeting\":\"Ahoy\"}", "{}")
                    .get("id").asText();

            // load: chats keep arriving while the backup is taken; what was answered before it began must be in it
            AtomicBoolean going = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            String loadSession = json(a.call("POST", "/v1/sessions", key, null)).get("id").asText();
            Thread load = Thread.ofVirtual().start(() -> {
                int n = 0;
                while (going.get()) {
                    HttpResponse<String> r = chat(a, key, loadSession, "load " + n++);
                    if (r.statusCode() == 200) {
                        answered.incrementAndGet();
                    } else {
                        errors.add(r.statusCode() + " " + r.body());
                    }
                }
            });
            TestHub.await("chats under load", () -> answered.get() >= 5);
            before = conversations(a, key);
            before.values().forEach(ackedBefore::addAll);
            assertTrue(before.size() >= 5 && ackedBefore.size() >= 15, "a hub with data: " + before);
            archive = backup(a);
            TestHub.await("more chats after the backup", () -> answered.get() >= 15);
            going.set(false);
            load.join();
            assertTrue(errors.isEmpty(), "the hub kept serving while it was backed up: " + errors);
        }

        // restore into PostgreSQL and a new data folder, then start a hub there
        DatabaseConfig pg = TestDatabases.postgresql();
        Path dataB = Files.createTempDirectory("clawless-backup-b-");
        Restore.Result intoPg = Restore.run(archive, pg, dataB.resolve("plugins"), dataB);
        assertEquals("h2", intoPg.manifest().vendor());
        assertEquals(1, intoPg.plugins());
        Path archiveB;
        Map<String, List<String>> inB;
        try (TestHub b = TestHub.start(env(pg, dataB))) {
            assertEquals(dev.clawless.core.store.DatabaseConfig.Vendor.POSTGRESQL, b.hub().database().vendor());
            inB = conversations(b, key);
            List<String> restoredMessages = new ArrayList<>();
            inB.values().forEach(restoredMessages::addAll);
            assertTrue(restoredMessages.containsAll(ackedBefore), "every message answered before the backup");
            for (String conversation : before.keySet()) {
                if (!conversation.contains(" api ")) {
                    continue;
                }
                List<String> was = before.get(conversation);
                List<String> now = inB.get(conversation);
                assertEquals(was, now.subList(0, was.size()), "the conversation's messages, in order");
            }
            // keys still accepted, the other tenant's data still its own
            assertEquals(200, b.call("GET", "/v1/tenant", key, null).statusCode());
            assertEquals(1, conversations(b, otherKey).size());
            // the sealed webhook secret opens: the right one is accepted, a wrong one refused
            long lastJob = maxJobId(b);
            assertTrue(lastJob > 0, "the backup's jobs came with it");
            assertEquals(200, telegramUpdate(b, connection, 2, SECRET).statusCode());
            assertEquals(401, telegramUpdate(b, connection, 3, "not-the-secret-0123456789").statusCode());
            b.inboundDerived();
            // the message made a turn job with a new id (the jobs' id sequence moved past the restored ones)
            assertTrue(maxJobId(b) > lastJob, "a new job after the restore");
            assertEquals(0L, b.hub().database().execute().createGet("SELECT COUNT(*) FROM inbound_log WHERE failed_at"
                    + " IS NOT NULL").execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue())
                    .orElse(0L), "nothing set aside");
            // the plugin installation, and its JAR back in the store
            assertEquals(200, b.call("GET", "/v1/plugins/installations/" + installation, key, null).statusCode());
            String tenant = json(b.call("GET", "/v1/tenant", key, null)).get("id").asText();
            assertTrue(!b.hub().installations().tools(tenant).isEmpty(), "the restored plugin loads its tools");
            // new rows after a restore get new ids (identity counters moved past the restored ones)
            assertEquals(201, b.admin("POST", "/admin/tenants/" + json(b.call("GET", "/v1/tenant", key, null))
                    .get("id").asText() + "/api-keys", "{\"name\":\"after restore\",\"scopes\":[\"chat\"]}")
                    .statusCode());
            inB = conversations(b, key);
            archiveB = backup(b);
        }

        // and back: PostgreSQL → H2
        Path dataC = Files.createTempDirectory("clawless-backup-c-");
        DatabaseConfig h2C = new DatabaseConfig(DatabaseConfig.h2FileUrl(dataC), "", "", 4,
                java.time.Duration.ofSeconds(5));
        Restore.Result intoH2 = Restore.run(archiveB, h2C, dataC.resolve("plugins"), dataC);
        assertEquals("postgresql", intoH2.manifest().vendor());
        try (TestHub c = TestHub.start(env(h2C, dataC))) {
            assertEquals(inB, conversations(c, key), "every conversation and message, as they were on PostgreSQL");
            assertEquals(200, c.call("GET", "/v1/tenant", key, null).statusCode());
            assertEquals(200, telegramUpdate(c, connection, 4, SECRET).statusCode());
            assertEquals(200, c.call("GET", "/v1/plugins/installations/" + installation, key, null).statusCode());
            assertEquals(201, c.admin("POST", "/admin/tenants", "{\"name\":\"After the second restore\"}")
                    .statusCode());
        }
        // a backup is restored only into an empty database: this one has data now
        BackupRefused refused = org.junit.jupiter.api.Assertions.assertThrows(BackupRefused.class,
                () -> Restore.run(archiveB, h2C, Files.createTempDirectory("clawless-backup-p-"), dataC));
        assertTrue(refused.getMessage().contains("not empty"), refused.getMessage());
    }
}
