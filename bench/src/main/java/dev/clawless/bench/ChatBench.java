package dev.clawless.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * Measures {@code /v1/chat/completions} of a real hub process whose {@code openai} provider is a fake that answers
 * instantly, so what is measured is the hub: request handling, auth, quota check, usage metering, SSE relaying.
 *
 * <ol>
 *   <li>throughput: {@code concurrency} clients send non-streaming completions for {@code duration} seconds;
 *       requests/s, p50 and p99 latency;</li>
 *   <li>streaming overhead: time to the first content byte through the hub versus straight from the fake provider,
 *       sequentially, p50 and p99 of each and of the difference.</li>
 * </ol>
 *
 * Usage: {@code java -jar bench/target/clawless-bench.jar --hub-jar hub-server/target/clawless-hub.jar
 * [--java PATH] [--duration 20] [--concurrency 32] [--stream-samples 300]} (or {@code ./hub bench}); with
 * {@code streams} the idle-stream benchmark of {@link StreamBench} instead ({@code ./hub bench streams}), with
 * {@code ingest [--db h2|postgres] …} the webhook ingest path ({@link IngestBench}), with {@code start [--rounds 3]} the
 * start to ready and memory of {@link StartBench}, with {@code retrieval …} chat completions answered by the
 * embedded retrieval assistant ({@link RetrievalBench}).
 */
public final class ChatBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    static final String STREAM = """
            data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}

            data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{"content":" there."},"finish_reason":null}]}

            data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}

            data: [DONE]

            """;

    private ChatBench() {
    }

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("ingest")) {
            IngestBench.run(args);
            return;
        }
        if (java.util.Arrays.asList(args).contains("retrieval")) {
            RetrievalBench.run(args);
            return;
        }
        Path hubJar = Path.of(arg(args, "--hub-jar", "hub-server/target/clawless-hub.jar"));
        String java = arg(args, "--java", ProcessHandle.current().info().command().orElse("java"));
        int duration = Integer.parseInt(arg(args, "--duration", "20"));
        int concurrency = Integer.parseInt(arg(args, "--concurrency", "32"));
        int streamSamples = Integer.parseInt(arg(args, "--stream-samples", "300"));
        if (!Files.exists(hubJar)) {
            throw new IllegalStateException(hubJar + " is missing: build the hub first (./hub build)");
        }
        if (List.of(args).contains("streams")) {
            StreamBench.run(hubJar, java, args);
            return;
        }
        if (List.of(args).contains("start")) {
            StartBench.run(hubJar, java, args);
            return;
        }

        HttpServer fake = fakeProvider();
        String fakeBase = "http://127.0.0.1:" + fake.getAddress().getPort();
        int port = freePort();
        Path data = Files.createTempDirectory("clawless-bench-");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar",
                hubJar.toAbsolutePath().toString());
        pb.environment().put("CLAWLESS_PORT", Integer.toString(port));
        pb.environment().put("CLAWLESS_HOST", "127.0.0.1");
        pb.environment().put("CLAWLESS_DATA_DIR", data.toString());
        pb.environment().put("CLAWLESS_ADMIN_TOKEN", ADMIN_TOKEN);
        pb.environment().put("CLAWLESS_LOG_ACCESS", "false");
        pb.environment().put("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-bench");
        pb.environment().put("CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fakeBase + "/v1");
        pb.environment().put("CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "fake");
        pb.redirectErrorStream(true).redirectOutput(data.resolve("hub.log").toFile());
        Process hub = pb.start();
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            waitReady(client, base);
            String key = provision(client, base);
            System.out.printf(Locale.ROOT, "hub %s (pid %d), fake provider %s, %d cores, java %s%n", base, hub.pid(),
                    fakeBase, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            throughput(client, base, key, 5, concurrency, false);
            List<String> rows = new ArrayList<>();
            rows.add(throughput(client, base, key, duration, concurrency, true));
            rows.add(streaming(client, base, key, fakeBase, streamSamples));
            System.out.println();
            rows.forEach(System.out::println);
        } finally {
            hub.destroy();
            fake.stop(0);
        }
    }

    private static String throughput(HttpClient client, String base, String key, int seconds, int concurrency,
                                     boolean report) throws InterruptedException {
        String body = "{\"model\":\"openai/fake\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}";
        Load.Result r = Load.run(client, concurrency, seconds, () -> post(base + "/v1/chat/completions", key, body));
        String row = String.format(Locale.ROOT, "| chat completions, %d clients, %d s | %.0f req/s | p50 %.1f ms | "
                        + "p99 %.1f ms | %d errors |", concurrency, seconds, r.perSecond(), r.p50(), r.p99(), r.errors());
        if (report) {
            System.out.println(row);
        }
        return row;
    }

    private static String streaming(HttpClient client, String base, String key, String fakeBase, int samples)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"openai/fake\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        List<Long> viaHub = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        List<Long> added = new ArrayList<>();
        for (int i = 0; i < samples + 20; i++) {
            long hubTtfb = firstContent(client, post(base + "/v1/chat/completions", key, body));
            long fakeTtfb = firstContent(client, post(fakeBase + "/v1/chat/completions", "sk-bench", body));
            if (i >= 20) {
                viaHub.add(hubTtfb);
                direct.add(fakeTtfb);
                added.add(hubTtfb - fakeTtfb);
            }
        }
        Collections.sort(viaHub);
        Collections.sort(direct);
        Collections.sort(added);
        return String.format(Locale.ROOT, "| streaming time to first content, %d sequential | via hub p50 %.2f ms, "
                        + "p99 %.2f ms | provider direct p50 %.2f ms, p99 %.2f ms | added by the hub p50 %.2f ms, "
                        + "p99 %.2f ms |", samples, ms(percentile(viaHub, 50)), ms(percentile(viaHub, 99)),
                ms(percentile(direct, 50)), ms(percentile(direct, 99)), ms(percentile(added, 50)),
                ms(percentile(added, 99)));
    }

    /** Nanoseconds from sending the request to reading the first line that carries content. */
    private static long firstContent(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long first = -1;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (first < 0 && line.contains("\"content\":\"H")) {
                    first = System.nanoTime() - t0;
                }
            }
        }
        if (r.statusCode() != 200 || first < 0) {
            throw new IllegalStateException("stream failed with status " + r.statusCode());
        }
        return first;
    }

    private static HttpServer fakeProvider() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] stream = STREAM.getBytes(StandardCharsets.UTF_8);
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, stream.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(stream);
            }
        });
        server.start();
        return server;
    }

    private static String provision(HttpClient client, String base) throws IOException, InterruptedException {
        String tenant = field(client.send(post(base + "/admin/tenants", ADMIN_TOKEN, "{\"name\":\"bench\",\"quotas\":"
                        + "{\"messages_per_month\":-1,\"tokens_per_month\":-1,\"requests_per_minute\":-1}}"),
                HttpResponse.BodyHandlers.ofString()).body(), "id");
        return field(client.send(post(base + "/admin/tenants/" + tenant + "/api-keys", ADMIN_TOKEN,
                "{\"name\":\"bench\",\"scopes\":[\"chat\"]}"), HttpResponse.BodyHandlers.ofString()).body(), "key");
    }

    static void waitReady(HttpClient client, String base) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the hub did not become ready within 60 s");
    }

    static HttpRequest post(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
