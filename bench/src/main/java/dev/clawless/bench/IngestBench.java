package dev.clawless.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code ./hub bench ingest}: the webhook ingest path of a real hub process against a bare Helidon server.
 *
 * <p>Provisions a tenant with a Telegram connection in webhook mode (its Bot API a fake in this process, the chat
 * provider a fake that answers at once, so the turn and delivery jobs each message causes run too), then, for each
 * client count, alternates rounds: {@code N} clients POST signed Telegram updates of about 1.25 KB with distinct
 * {@code update_id}s (500 chats) to {@code /hooks/{id}} of the hub for {@code duration} seconds, then the same to a
 * bare Helidon 4 server (its own process, {@link BareHelidon}) whose handler only reads the body. Reports each
 * round's requests/s, the median of the per-round ratios hub / bare, and the ack latency p50/p99 of each.
 *
 * <p>Options: {@code --db h2|postgres} (postgres: an embedded PostgreSQL server started by this process),
 * {@code --duration 10} (seconds per round), {@code --rounds 3}, {@code --concurrency 4,16}, {@code --warmup 8}
 * (seconds, both servers, before the first round), any {@code --env KEY=VALUE} passed to the hub process, and
 * {@code --node-red}: a third server in the same rounds, the Node-RED flow of {@link NodeRedFlow}.
 */
final class IngestBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final String SECRET = "bench-webhook-secret-0123456789";
    private static final String HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final String BOT_TOKEN = "700001:BENCH-token_abcdef";
    private static final AtomicLong UPDATES = new AtomicLong(900_000_000L);

    private IngestBench() {
    }

    static void run(String[] args) throws Exception {
        Path hubJar = Path.of(ChatBench.arg(args, "--hub-jar", "hub-server/target/clawless-hub.jar"));
        String java = ChatBench.arg(args, "--java", ProcessHandle.current().info().command().orElse("java"));
        String db = ChatBench.arg(args, "--db", "h2");
        int duration = Integer.parseInt(ChatBench.arg(args, "--duration", "10"));
        int rounds = Integer.parseInt(ChatBench.arg(args, "--rounds", "3"));
        int warmup = Integer.parseInt(ChatBench.arg(args, "--warmup", "8"));
        boolean withNodeRed = List.of(args).contains("--node-red");
        int bots = Integer.parseInt(ChatBench.arg(args, "--bots", "40"));
        NodeRedFlow nodeRed = null;
        List<Integer> concurrencies = new ArrayList<>();
        for (String c : ChatBench.arg(args, "--concurrency", "4,16").split(",")) {
            concurrencies.add(Integer.parseInt(c.trim()));
        }
        if (!Files.exists(hubJar)) {
            throw new IllegalStateException(hubJar + " is missing: build the hub first (./hub build)");
        }
        Path benchJar = Path.of(IngestBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        HttpServer fakes = fakes();
        String fakeBase = "http://127.0.0.1:" + fakes.getAddress().getPort();
        EmbeddedPostgres postgres = null;
        Path data = Files.createTempDirectory("clawless-bench-ingest-");
        int port = ChatBench.freePort();
        ProcessBuilder pb = HubProcesses.hub(java, hubJar, port, data, ADMIN_TOKEN, args);
        pb.environment().putIfAbsent("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        pb.environment().putIfAbsent("CLAWLESS_CHANNELS_INBOUND_PER_MINUTE", "-1");
        pb.environment().putIfAbsent("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-bench");
        pb.environment().putIfAbsent("CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fakeBase + "/v1");
        pb.environment().putIfAbsent("CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "fake");
        if (db.equals("postgres")) {
            postgres = EmbeddedPostgres.builder().start();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE clawless_bench");
            }
            pb.environment().put("CLAWLESS_DB_URL", postgres.getJdbcUrl("postgres", "clawless_bench"));
            pb.environment().put("CLAWLESS_DB_USERNAME", "postgres");
        } else if (!db.equals("h2")) {
            throw new IllegalArgumentException("--db h2 or --db postgres");
        }
        int barePort = ChatBench.freePort();
        Process bare = HubProcesses.bare(java, benchJar, barePort);
        Process hub = pb.start();
        String hubBase = "http://127.0.0.1:" + port;
        String bareBase = "http://127.0.0.1:" + barePort;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            {
                ChatBench.waitReady(client, hubBase);
                List<String> connections = provision(client, hubBase, fakeBase, bots);
                List<String> hubUrl = urls(hubBase, connections);
                List<String> bareUrl = urls(bareBase, connections);
                System.out.printf(Locale.ROOT, "ingest bench: hub %s (pid %d, %s, log %s), bare Helidon %s (pid %d),"
                                + " %d cores, java %s, body %d bytes, %d bots%n", hubBase, hub.pid(), db,
                        data.resolve("hub.log"), bareBase, bare.pid(), Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"), update(1).length, bots);
                if (withNodeRed) {
                    nodeRed = NodeRedFlow.start(client, SECRET);
                    System.out.println("Node-RED flow " + nodeRed.base + " (pid " + nodeRed.pid() + ")");
                }
                List<String> nodeRedUrl = nodeRed == null ? null : urls(nodeRed.base, connections);
                round(client, hubUrl, 4, warmup);
                settle(client, hubBase);
                round(client, bareUrl, 4, warmup);
                if (nodeRed != null) {
                    round(client, nodeRedUrl, 4, warmup);
                }
                List<String> table = new ArrayList<>();
                table.add("| db | clients | round | hub acks/s | bare req/s | hub / bare | hub p50 / p99 ms"
                        + " | bare p50 / p99 ms | hub errors | derived / jobs done after s | derived hub / bare |"
                        + " Node-RED req/s | hub / Node-RED |");
                table.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
                for (int c : concurrencies) {
                    List<Double> ratios = new ArrayList<>();
                    List<Double> sustained = new ArrayList<>();
                    List<Double> overNodeRed = new ArrayList<>();
                    for (int r = 1; r <= rounds; r++) {
                        Load.Result h = round(client, hubUrl, c, duration);
                        Drain drain = settle(client, hubBase);
                        Load.Result b = round(client, bareUrl, c, duration);
                        Load.Result n = nodeRed == null ? null : round(client, nodeRedUrl, c, duration);
                        if (n != null) {
                            overNodeRed.add(h.perSecond() / n.perSecond());
                        }
                        double ratio = h.perSecond() / b.perSecond();
                        // every acknowledged message derived into its conversation, message and turn job: acks over
                        // the round and the time the hub needed afterwards to finish deriving them
                        double whole = h.perSecond() * duration / (duration + drain.inbound()) / b.perSecond();
                        ratios.add(ratio);
                        sustained.add(whole);
                        String row = String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %.4f | %.1f / %.1f"
                                        + " | %.2f / %.2f | %d | %.1f / %.1f | %.4f | %s | %s |", db, c, r,
                                h.perSecond(), b.perSecond(), ratio, h.p50(), h.p99(), b.p50(), b.p99(), h.errors(),
                                drain.inbound(), drain.jobs(), whole,
                                n == null ? "" : String.format(Locale.ROOT, "%.0f", n.perSecond()),
                                n == null ? "" : String.format(Locale.ROOT, "%.2f", h.perSecond() / n.perSecond()));
                        System.out.println(row);
                        table.add(row);
                    }
                    Collections.sort(ratios);
                    Collections.sort(sustained);
                    Collections.sort(overNodeRed);
                    String median = String.format(Locale.ROOT, "| %s | %d | **median** | | | **%.4f** | | | | |"
                            + " **%.4f** | | %s |", db, c, ratios.get(ratios.size() / 2),
                            sustained.get(sustained.size() / 2), overNodeRed.isEmpty() ? ""
                                    : String.format(Locale.ROOT, "**%.2f**", overNodeRed.get(overNodeRed.size() / 2)));
                    System.out.println(median);
                    table.add(median);
                }
                System.out.println();
                table.forEach(System.out::println);
            }
        } finally {
            if (nodeRed != null) {
                nodeRed.close();
            }
            hub.destroy();
            bare.destroy();
            hub.waitFor();
            bare.waitFor();
            fakes.stop(0);
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /** Seconds the hub needed after a round: to derive what it acknowledged, and to finish the jobs that made. */
    record Drain(double inbound, double jobs) {
    }

    /**
     * Waits until the hub has finished the work of what it acknowledged: first its inbound log derived (messages
     * stored, turn jobs enqueued), then its job queue (turns, reply deliveries) empty, as {@code /admin/system}
     * reports. Run after every hub round, so that no hub work spills into the anchor's round.
     */
    private static Drain settle(HttpClient client, String base) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(15).toNanos();
        double inbound = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/admin/system"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = r.body().replace(" ", "");
            if (r.statusCode() == 200 && inbound < 0 && body.contains("\"waiting\":0,")) {
                inbound = (System.nanoTime() - start) / 1e9;
            }
            if (inbound >= 0 && body.contains("\"queued\":0,") && body.contains("\"running\":0,")) {
                return new Drain(inbound, (System.nanoTime() - start) / 1e9);
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the hub did not finish its backlog within 15 minutes");
    }

    /**
     * Sends updates to the bots in turn: Telegram lets one bot send about 30 messages a second (the hub keeps to it),
     * so the replies to a round's thousands of messages need many bots to go out in minutes rather than hours.
     */
    private static Load.Result round(HttpClient client, List<String> urls, int concurrency, int seconds)
            throws InterruptedException {
        return Load.run(client, concurrency, seconds, () -> {
            long n = UPDATES.incrementAndGet();
            return HttpRequest.newBuilder(URI.create(urls.get((int) (n % urls.size())))).header(HEADER, SECRET)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(update(n))).build();
        });
    }

    private static List<String> urls(String base, List<String> connections) {
        return connections.stream().map(c -> base + "/hooks/" + c).toList();
    }

    /** A Telegram private-chat text update of about 1.25 KB; 500 chats, so conversations get several messages. */
    static byte[] update(long updateId) {
        long chat = 500_000_000L + updateId % 500;
        StringBuilder text = new StringBuilder("Hello! I ordered the blue running shoes last week (order ")
                .append(updateId).append(") and the tracking page has not changed since Monday. ");
        while (text.length() < 800) {
            text.append("Could you tell me where the parcel is and whether I can still change the delivery address? ");
        }
        String json = "{\"update_id\":" + updateId + ",\"message\":{\"message_id\":" + updateId + ",\"from\":{\"id\":"
                + chat + ",\"is_bot\":false,\"first_name\":\"Alice\",\"last_name\":\"Nguyen\",\"username\":"
                + "\"alice_ng\",\"language_code\":\"en\"},\"chat\":{\"id\":" + chat + ",\"first_name\":\"Alice\","
                + "\"last_name\":\"Nguyen\",\"username\":\"alice_ng\",\"type\":\"private\"},\"date\":1736935200,"
                + "\"text\":\"" + text.substring(0, 800) + "\"}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The fake Telegram Bot API and the fake chat provider, in this process. */
    private static HttpServer fakes() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        AtomicLong sent = new AtomicLong(1000);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String body;
            String type = "application/json";
            if (path.endsWith("/chat/completions")) {
                body = ChatBench.STREAM;
                type = "text/event-stream";
            } else if (path.toLowerCase(Locale.ROOT).endsWith("/sendmessage")) {
                body = "{\"ok\":true,\"result\":{\"message_id\":" + sent.incrementAndGet() + ",\"date\":1736935300,"
                        + "\"chat\":{\"id\":1,\"type\":\"private\"},\"text\":\"x\"}}";
            } else {
                body = "{\"ok\":true,\"result\":true}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    /** A tenant with {@code bots} Telegram connections (webhook mode, one bot each); their ids. */
    private static List<String> provision(HttpClient client, String base, String fakeBase, int bots)
            throws IOException, InterruptedException {
        String tenant = ChatBench.field(client.send(ChatBench.post(base + "/admin/tenants", ADMIN_TOKEN,
                        "{\"name\":\"bench\",\"quotas\":{\"messages_per_month\":-1,\"tokens_per_month\":-1,"
                                + "\"requests_per_minute\":-1}}"), HttpResponse.BodyHandlers.ofString()).body(), "id");
        String key = ChatBench.field(client.send(ChatBench.post(base + "/admin/tenants/" + tenant + "/api-keys",
                ADMIN_TOKEN, "{\"name\":\"bench\",\"scopes\":[\"channels:admin\"]}"),
                HttpResponse.BodyHandlers.ofString()).body(), "key");
        List<String> ids = new ArrayList<>();
        for (int b = 0; b < bots; b++) {
            HttpResponse<String> c = client.send(ChatBench.post(base + "/v1/channels", key, "{\"type\":\"telegram\","
                    + "\"name\":\"Bench bot " + b + "\",\"config\":{\"mode\":\"webhook\",\"api_base_url\":\""
                    + fakeBase + "\"},\"secrets\":{\"bot_token\":\"" + b + BOT_TOKEN + "\",\"webhook_secret\":\""
                    + SECRET + "\"}}"), HttpResponse.BodyHandlers.ofString());
            if (c.statusCode() != 201) {
                throw new IllegalStateException("connecting Telegram failed: " + c.statusCode() + " " + c.body());
            }
            ids.add(ChatBench.field(c.body(), "id"));
        }
        return ids;
    }
}
