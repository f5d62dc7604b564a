package dev.clawless.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.store.Database;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing acknowledged is lost and no reply goes out twice unmarked, whatever moment the hub dies at: a hub process
 * takes signed Telegram updates at a steady rate from several senders (each delivering an update again until it is
 * acknowledged, as platforms do) while it is killed with SIGKILL three times and restarted on the same data, on H2
 * and on PostgreSQL. Then every update the hub answered 200 must be stored
 * once, every stored message answered, and any message whose reply reached the fake platform twice must be marked
 * {@code delivery_uncertain} — duplicates bounded by the sends in flight at each kill.
 */
class CrashDurabilityServerTest {

    private static final String SECRET = "crash-test-secret-0123";
    private static final String BOT_TOKEN = "700900:TEST-crash";
    private static final int KILLS = 3;
    private static final int SENDERS = 4;
    private static final Duration BETWEEN_KILLS = Duration.ofMillis(2500);
    /** The longest a (re)started hub is given to acknowledge its share before it is killed anyway. */
    private static final Duration AT_MOST_BETWEEN_KILLS = Duration.ofSeconds(60);
    private static WireMockServer telegram;

    @BeforeAll
    static void fake() {
        telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true)
                .containerThreads(64));
        telegram.start();
        // a short pause in each send widens the window in which a kill finds a send in flight
        telegram.stubFor(post(urlMatching("/bot.*/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                + "{\"message_id\":{{randomInt lower=10000 upper=2000000000}},\"date\":1736935300,\"chat\":{\"id\":1,"
                + "\"type\":\"private\"},\"text\":\"x\"}}").withFixedDelay(40)));
        telegram.stubFor(post(urlMatching("/bot.*")).atPriority(10).willReturn(okJson("{\"ok\":true,\"result\":true}")));
    }

    @AfterAll
    static void stopFake() {
        telegram.stop();
    }

    @Test
    void killedThreeTimesOnH2() throws Exception {
        Path data = Files.createTempDirectory("clawless-crash-h2-");
        run(data, Map.of(), DatabaseConfig.h2FileUrl(data), "");
    }

    @Test
    void killedThreeTimesOnPostgresql() throws Exception {
        Path data = Files.createTempDirectory("clawless-crash-pg-");
        DatabaseConfig pg = TestDatabases.postgresql();
        run(data, Map.of("CLAWLESS_DB_URL", pg.url(), "CLAWLESS_DB_USERNAME", pg.username()), pg.url(),
                pg.username());
    }

    private void run(Path data, Map<String, String> db, String dbUrl, String dbUser) throws Exception {
        telegram.resetRequests();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(db);
        env.put("CLAWLESS_PORT", String.valueOf(port));
        env.put("CLAWLESS_HOST", "127.0.0.1");
        env.put("CLAWLESS_DATA_DIR", data.toString());
        env.put("CLAWLESS_ADMIN_TOKEN", TestHub.ADMIN_TOKEN);
        env.put("CLAWLESS_DEMO_ENABLED", "false");
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        env.put("CLAWLESS_PLANS_FREE_REQUESTS_PER_MINUTE", "100000");
        env.put("CLAWLESS_CHANNELS_INBOUND_PER_MINUTE", "-1");
        // a killed node's jobs wait for their lease to end before the restarted one takes them over
        env.put("CLAWLESS_JOBS_LEASE", "3s");
        env.put("CLAWLESS_LOG_LEVEL", "WARNING");
        String base = "http://127.0.0.1:" + port;
        HubProcess hub = new HubProcess(env, data.resolve("hub.log"), base);
        hub.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String tenant = TestHub.json(call(http, base, "POST", "/admin/tenants", TestHub.ADMIN_TOKEN,
                "{\"name\":\"Crash\"}")).get("id").asText();
        String key = TestHub.json(call(http, base, "POST", "/admin/tenants/" + tenant + "/api-keys",
                TestHub.ADMIN_TOKEN, "{\"name\":\"t\",\"scopes\":[\"channels:admin\",\"conversations:read\"]}"))
                .get("key").asText();
        String connection = TestHub.json(call(http, base, "POST", "/v1/channels", key, "{\"type\":\"telegram\","
                + "\"config\":{\"mode\":\"webhook\",\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":"
                + "{\"bot_token\":\"" + BOT_TOKEN + "\",\"webhook_secret\":\"" + SECRET + "\"}}")).get("id").asText();

        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger(1);
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            senders.add(Thread.ofVirtual().start(() -> {
                int id = next.getAndIncrement();
                while (sending.get()) {
                    // one chat per update: Telegram's one-message-per-second-per-chat pacing never holds a reply back
                    String update = "{\"update_id\":" + (100000 + id) + ",\"message\":{\"message_id\":" + id
                            + ",\"from\":{\"id\":" + (5000 + id) + ",\"is_bot\":false,\"first_name\":\"C\"},"
                            + "\"chat\":{\"id\":" + (5000 + id) + ",\"type\":\"private\"},\"date\":1736935200,"
                            + "\"text\":\"crash test message " + id + "\"}}";
                    boolean ok = false;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/hooks/"
                                        + connection)).timeout(Duration.ofSeconds(3))
                                .header("Content-Type", "application/json")
                                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                                .POST(HttpRequest.BodyPublishers.ofString(update)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        statuses.merge(String.valueOf(r.statusCode()), 1, Integer::sum);
                        ok = r.statusCode() == 200;
                    } catch (IOException e) {
                        statuses.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (ok) {
                        acked.add(id);
                        id = next.getAndIncrement();
                    }
                    // like a platform, an update not acknowledged is delivered again, after a pause
                    try {
                        Thread.sleep(ok ? 60 : 100); // about 16 updates a second per sender
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (int kill = 0; kill < KILLS; kill++) {
            serveAWhile(acked);
            hub.kill();
            hub.start();
        }
        serveAWhile(acked);
        sending.set(false);
        for (Thread t : senders) {
            t.join();
        }
        int sent = next.get() - 1 - SENDERS;

        // every acknowledged update gets its reply (after the dead node's leases ran out)
        long deadline = System.currentTimeMillis() + 90_000;
        Map<Integer, Integer> replies = replies();
        while (!replies.keySet().containsAll(acked) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            replies = replies();
        }
        if (!replies.keySet().containsAll(acked)) {
            // evidence for whoever reads the failure: where the hub's threads are while acknowledged updates wait
            System.out.println("thread dump of the hub while acknowledged updates wait for their replies:\n"
                    + hub.threadDump());
        }
        hub.kill(); // and the last kill: the database is read as a restart would find it
        Set<Integer> missingReplies = new java.util.TreeSet<>(acked);
        missingReplies.removeAll(replies.keySet());

        DatabaseConfig config = new DatabaseConfig(dbUrl, dbUser, "", 2, Duration.ofSeconds(5));
        Map<Integer, Long> stored = new HashMap<>();
        Set<Integer> uncertain = new java.util.HashSet<>();
        try (Database database = Database.open(config)) {
            database.execute().createQuery("SELECT external_message_id, COUNT(*) FROM messages WHERE connection_id = ?"
                    + " AND direction = 'inbound' GROUP BY external_message_id").params(connection).execute()
                    .forEach(r -> stored.put(Integer.parseInt(r.column(1).get(String.class).split(":")[1]),
                            ((Number) r.column(2).get(Object.class)).longValue()));
            database.execute().createQuery("SELECT i.external_message_id FROM messages o JOIN messages i ON"
                    + " i.id = o.answers_message_id WHERE o.connection_id = ? AND o.delivery_uncertain = TRUE")
                    .params(connection).execute()
                    .forEach(r -> uncertain.add(Integer.parseInt(r.column(1).get(String.class).split(":")[1])));
        }
        Set<Integer> lost = new java.util.TreeSet<>(acked);
        lost.removeAll(stored.keySet());
        List<Integer> storedTwice = stored.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        List<Integer> repliedTwice = replies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        List<Integer> unmarked = repliedTwice.stream().filter(id -> !uncertain.contains(id)).toList();
        String figures = "answers " + new java.util.TreeMap<>(statuses) + ", sent " + sent + ", acknowledged "
                + acked.size() + ", stored " + stored.size()
                + ", lost " + lost + ", stored twice " + storedTwice + ", replies " + replies.values().stream()
                .mapToInt(Integer::intValue).sum() + ", replied twice " + repliedTwice + " (unmarked " + unmarked
                + "), marked uncertain " + uncertain.size() + ", acknowledged without reply " + missingReplies;
        System.out.println("crash test (" + (dbUrl.startsWith("jdbc:h2") ? "H2" : "PostgreSQL") + "): " + figures);
        assertTrue(acked.size() >= 3 * SENDERS * (KILLS + 1), figures);
        assertEquals(Set.of(), lost, figures);
        assertEquals(List.of(), storedTwice, figures);
        assertEquals(Set.of(), missingReplies, figures);
        assertEquals(List.of(), unmarked, figures);
        // at most what 16 workers of each killed node can have had in flight
        assertTrue(repliedTwice.size() <= KILLS * 16, figures);
        assertTrue(uncertain.containsAll(repliedTwice), figures);
    }

    /** Replies the fake platform received, by the update they quote. */
    private static Map<Integer, Integer> replies() {
        Map<Integer, Integer> out = new HashMap<>();
        for (LoggedRequest r : telegram.findAll(postRequestedFor(urlMatching("/bot.*/sendmessage")))) {
            JsonNode body = TestHub.json(r.getBodyAsString());
            int quoted = body.path("reply_parameters").path("message_id").asInt(-1);
            out.merge(quoted, 1, Integer::sum);
        }
        return out;
    }

    private static HttpResponse<String> call(HttpClient http, String base, String method, String path, String token,
                                             String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.body());
        return r;
    }

    /** The hub as its own process (the test JVM's class path), so that it can be killed with SIGKILL. */
    private static final class HubProcess {
        private final Map<String, String> env;
        private final Path log;
        private final String base;
        private Process process;

        HubProcess(Map<String, String> env, Path log, String base) {
            this.env = env;
            this.log = log;
            this.base = base;
        }

        void start() throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder b = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp",
                    System.getProperty("java.class.path"), "dev.clawless.server.Main");
            b.environment().keySet().removeIf(k -> k.startsWith("CLAWLESS_")); // the test run's own settings
            b.environment().putAll(env);
            b.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = b.start();
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("the hub exited: " + Files.readString(log));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the hub did not become ready: " + Files.readString(log));
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            process.waitFor();
        }

        /** The hub's threads and their stacks, from the JDK's jcmd (empty when it cannot be had). */
        String threadDump() {
            try {
                Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                return out;
            } catch (IOException e) {
                return "(no thread dump: " + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "(no thread dump: interrupted)";
            }
        }
    }

    /**
     * Lets the hub serve for {@link #BETWEEN_KILLS}, and on a busy machine longer: until it has acknowledged at least
     * three updates per sender since this began (at most {@link #AT_MOST_BETWEEN_KILLS}), so that every kill falls
     * among acknowledged traffic however slowly the hub starts.
     */
    private static void serveAWhile(Set<Integer> acked) throws InterruptedException {
        int before = acked.size();
        long least = System.nanoTime() + BETWEEN_KILLS.toNanos();
        long most = System.nanoTime() + AT_MOST_BETWEEN_KILLS.toNanos();
        while (System.nanoTime() < most && (System.nanoTime() < least || acked.size() - before < 3 * SENDERS)) {
            Thread.sleep(50);
        }
    }
}
