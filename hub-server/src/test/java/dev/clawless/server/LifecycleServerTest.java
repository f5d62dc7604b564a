package dev.clawless.server;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What survives a restart and what a start and a stop promise: private files, replay memory, a bounded shutdown. */
class LifecycleServerTest {

    private static final String MAIL_SECRET = "mail-secret-lifecycle-0123";

    @Test
    void theDataFolderIsOwnerOnlyAlsoWhenAnOlderInstallLeftItOpen() throws Exception {
        Path data = Files.createTempDirectory("clawless-perms-");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path old = Files.createDirectories(data.resolve("plugins"));
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(old.resolve("left-behind.jar"), "x");
        Files.setPosixFilePermissions(old.resolve("left-behind.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        try (LogCapture log = new LogCapture();
             TestHub hub = TestHub.start(Map.of("CLAWLESS_DATA_DIR", data.toString(), "CLAWLESS_DEMO_ENABLED",
                     "true"))) {
            assertTrue(log.all().contains("other users could read"), log.all());
            assertTrue(log.all().contains("3 files or folders"), log.all());
            assertEquals(200, hub.call("GET", "/health/ready", null, null).statusCode());
            try (Stream<Path> all = Files.walk(data)) {
                List<Path> paths = all.toList();
                assertTrue(paths.stream().anyMatch(p -> p.toString().endsWith(".mv.db")), paths.toString());
                assertTrue(paths.stream().anyMatch(p -> p.endsWith("master-key")), paths.toString());
                for (Path p : paths) {
                    String wanted = Files.isDirectory(p) ? "rwx------" : "rw-------";
                    assertEquals(wanted, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
                            p.toString());
                }
            }
        }
        // a second start finds nothing to tighten, and says nothing
        try (LogCapture log = new LogCapture();
             TestHub ignored = TestHub.start(Map.of("CLAWLESS_DATA_DIR", data.toString()))) {
            assertTrue(!log.all().contains("other users could read"), log.all());
        }
    }

    @Test
    void aReplayedMailgunTokenIsRefusedAfterARestart() throws Exception {
        Path data = Files.createTempDirectory("clawless-replay-");
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String token = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9";
        String connection;
        String key;
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_DATA_DIR", data.toString()))) {
            key = hub.key(hub.tenant("Mail replay"), "[\"channels:admin\",\"conversations:read\"]");
            connection = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"email\",\"config\":{\"mode\":"
                    + "\"webhook\",\"address\":\"bot@clawless.example.com\"},\"secrets\":{\"webhook_secret\":\""
                    + MAIL_SECRET + "\"}}")).get("id").asText();
            assertEquals(200, mailgun(hub, connection, ts, token, "First").statusCode());
        }
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_DATA_DIR", data.toString()))) {
            // the same token with another body, after the restart: a replay
            HttpResponse<String> replay = mailgun(hub, connection, ts, token, "Second");
            assertEquals(401, replay.statusCode(), replay.body());
            assertTrue(replay.body().contains("replay"), replay.body());
            // Mailgun's own retry of the first request still passes
            assertEquals(200, mailgun(hub, connection, ts, token, "First").statusCode());
        }
    }

    private static HttpResponse<String> mailgun(TestHub hub, String connection, String ts, String token,
                                                String subject) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(MAIL_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = HexFormat.of().formatHex(mac.doFinal((ts + token).getBytes(StandardCharsets.UTF_8)));
        String mime = "From: Ada <ada@example.com>\r\nTo: bot@clawless.example.com\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject + "-lifecycle@example.com>\r\n\r\nHello\r\n";
        StringBuilder body = new StringBuilder();
        for (String[] field : List.of(new String[] {"timestamp", ts}, new String[] {"token", token},
                new String[] {"signature", signature}, new String[] {"body-mime", mime})) {
            body.append("--b0undary\r\nContent-Disposition: form-data; name=\"").append(field[0]).append("\"\r\n\r\n")
                    .append(field[1]).append("\r\n");
        }
        body.append("--b0undary--\r\n");
        return hub.send(hub.request("/hooks/" + connection).header("Content-Type",
                "multipart/form-data; boundary=b0undary").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                body.toString())));
    }

    @Test
    void aShutdownTakesNoLongerThanItsGraceAndAbandonedJobsRunAgain() throws Exception {
        WireMockServer telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        telegram.start();
        try {
            // the platform hangs for a minute: the delivery is in flight when the hub is stopped
            telegram.stubFor(post(urlMatching("/bot.*/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                    + "{\"message_id\":9001,\"date\":1736935300,\"chat\":{\"id\":1,\"type\":\"private\"},"
                    + "\"text\":\"x\"}}").withFixedDelay(60_000)));
            telegram.stubFor(post(urlMatching("/bot.*")).atPriority(10).willReturn(okJson("{\"ok\":true,"
                    + "\"result\":true}")));
            Path data = Files.createTempDirectory("clawless-grace-");
            Map<String, String> env = Map.of("CLAWLESS_DATA_DIR", data.toString(),
                    "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true", "CLAWLESS_HTTP_SHUTDOWN_GRACE", "2s",
                    "CLAWLESS_JOBS_LEASE", "2s");
            TestHub hub = TestHub.start(env);
            String key = hub.key(hub.tenant("Grace"), "[\"channels:admin\",\"conversations:read\"]");
            String connection = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"config\":{"
                    + "\"mode\":\"webhook\",\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":{"
                    + "\"bot_token\":\"720001:TEST-grace\",\"webhook_secret\":\"grace-secret-0123456\"}}"))
                    .get("id").asText();
            byte[] update = ("{\"update_id\":1,\"message\":{\"message_id\":7,\"from\":{\"id\":8,\"is_bot\":false,"
                    + "\"first_name\":\"G\"},\"chat\":{\"id\":8,\"type\":\"private\"},\"date\":1736935200,\"text\":"
                    + "\"are you there?\"}}").getBytes(StandardCharsets.UTF_8);
            assertEquals(200, hub.send(hub.request("/hooks/" + connection).header("Content-Type", "application/json")
                    .header("X-Telegram-Bot-Api-Secret-Token", "grace-secret-0123456")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(update))).statusCode());
            long end = System.currentTimeMillis() + 20_000;
            while (telegram.findAll(postRequestedFor(urlMatching("/bot.*/sendmessage"))).isEmpty()
                    && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            long started = System.nanoTime();
            hub.close();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis < 2_000 + 1_500, "the shutdown took " + tookMillis + " ms with a grace of 2 s");

            // the abandoned delivery runs again on the next start, once its lease is over, and is marked uncertain
            telegram.stubFor(post(urlMatching("/bot.*/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                    + "{\"message_id\":9002,\"date\":1736935300,\"chat\":{\"id\":1,\"type\":\"private\"},"
                    + "\"text\":\"x\"}}")));
            try (TestHub again = TestHub.start(env)) {
                String conversation = json(again.call("GET", "/v1/conversations?channel=telegram", key, null))
                        .get("data").get(0).get("id").asText();
                long until = System.currentTimeMillis() + 20_000;
                String reply = "";
                while (System.currentTimeMillis() < until) {
                    reply = again.call("GET", "/v1/conversations/" + conversation + "/messages", key, null).body();
                    if (reply.contains("\"status\":\"sent\"")) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertTrue(reply.contains("\"status\":\"sent\"") && reply.contains("\"delivery_uncertain\":true"),
                        reply);
            }
        } finally {
            telegram.stop();
        }
    }
}
