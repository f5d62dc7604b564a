package dev.clawless.bench;

import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./hub bench streams}: N idle server-sent-event streams against a real hub process (all on one conversation,
 * {@code GET /v1/conversations/{id}/events}) and, in interleaved rounds, against a bare Helidon SSE endpoint (one
 * virtual thread parked on a bounded queue per stream, a broadcast offers to every queue) started as a sibling
 * process on the hub's own class path with the same JVM flags. Per round and target:
 *
 * <ul>
 *   <li>heap per stream: {@code jcmd <pid> GC.run}, then {@code GC.heap_info} "used", with the streams open minus
 *       before they were opened, divided by N;</li>
 *   <li>idle CPU: utime+stime of {@code /proc/<pid>/stat} over {@code --cpu-seconds} with every stream open and
 *       nothing happening, as a share of one core, and the same before the streams are opened; each window starts
 *       {@code --settle} seconds (20) after the work before it (start, forced collections, connecting the streams)
 *       so that it measures an idle process, not the JIT finishing that work;</li>
 *   <li>database statements a second over the same windows (the hub's {@code clawless_db_statements_total});</li>
 *   <li>broadcast latency: {@code --messages} messages one after another (an operator message through the API for
 *       the hub, {@code POST /broadcast} for the bare endpoint); the time from sending to each stream reading it, p50
 *       and p99 over all N x messages arrivals. The streams are read by {@link SseReaders}: {@code --readers}
 *       selector threads (one per core), each arrival timed where its line is read.</li>
 * </ul>
 *
 * Usage: {@code ./hub bench streams [--streams 2000] [--rounds 2] [--cpu-seconds 15] [--messages 5] [--settle 20]
 * [--readers <cores>] [--warmup-rounds 1]}: each warm-up round is a whole round of both targets, not counted.
 */
final class StreamBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern STATEMENTS = Pattern.compile("(?m)^clawless_db_statements_total (\\d+)");
    private static final String BARE = """
            import java.io.OutputStream;
            import java.nio.charset.StandardCharsets;
            import java.util.Set;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ConcurrentHashMap;
            import java.util.concurrent.TimeUnit;
            import io.helidon.http.HeaderNames;
            import io.helidon.webserver.WebServer;
            import io.helidon.webserver.http.HttpRouting;

            public class BareSse {
                static final Set<BlockingQueue<String>> SUBSCRIBERS = ConcurrentHashMap.newKeySet();

                public static void main(String[] args) {
                    HttpRouting.Builder routing = HttpRouting.builder()
                            .get("/health", (req, res) -> res.send("ok"))
                            .post("/broadcast", (req, res) -> {
                                String m = req.content().as(String.class);
                                SUBSCRIBERS.forEach(q -> q.offer(m));
                                res.send("ok");
                            })
                            .get("/events", (req, res) -> {
                                res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                                BlockingQueue<String> q = new ArrayBlockingQueue<>(256);
                                SUBSCRIBERS.add(q);
                                try (OutputStream out = res.outputStream()) {
                                    out.write(": connected\\n\\n".getBytes(StandardCharsets.UTF_8));
                                    out.flush();
                                    while (true) {
                                        String m = q.poll(15, TimeUnit.SECONDS);
                                        out.write((m == null ? ": keep-alive\\n\\n" : "data: " + m + "\\n\\n")
                                                .getBytes(StandardCharsets.UTF_8));
                                        out.flush();
                                    }
                                } catch (Exception gone) {
                                    // the client left
                                } finally {
                                    SUBSCRIBERS.remove(q);
                                }
                            });
                    WebServer.builder().host("127.0.0.1").port(Integer.parseInt(args[0])).shutdownHook(false)
                            .routing(routing).build().start();
                }
            }
            """;

    private StreamBench() {
    }

    /** One process measured: the hub or the bare endpoint. */
    private interface Target {
        String name();

        Process process();

        /** The port, path and headers of one stream. */
        int port();

        String streamPath();

        Map<String, String> streamHeaders();

        void broadcast(String marker) throws IOException, InterruptedException;

        /** Statements sent to the database so far ({@code clawless_db_statements_total}); -1 when not known. */
        long statements();
    }

    static void run(Path hubJar, String java, String[] args) throws Exception {
        int n = Integer.parseInt(ChatBenchArgs.arg(args, "--streams", "2000"));
        int rounds = Integer.parseInt(ChatBenchArgs.arg(args, "--rounds", "2"));
        // one keep-alive period of every stream (15 s) in each window, so a window holds what an idle minute averages
        int cpuSeconds = Integer.parseInt(ChatBenchArgs.arg(args, "--cpu-seconds", "15"));
        int warmupRounds = Integer.parseInt(ChatBenchArgs.arg(args, "--warmup-rounds", "1"));
        int messages = Integer.parseInt(ChatBenchArgs.arg(args, "--messages", "5"));
        int settle = Integer.parseInt(ChatBenchArgs.arg(args, "--settle", "20"));
        int readers = Integer.parseInt(ChatBenchArgs.arg(args, "--readers",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
        Path jcmd = Path.of(java).getParent().resolve("jcmd");
        Path data = Files.createTempDirectory("clawless-bench-streams-");
        HttpClient control = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        int hubPort = freePort();
        ProcessBuilder hb = new ProcessBuilder(java, "-XX:+UseG1GC", "--enable-native-access=ALL-UNNAMED", "-jar",
                hubJar.toAbsolutePath().toString());
        hb.environment().put("CLAWLESS_PORT", Integer.toString(hubPort));
        hb.environment().put("CLAWLESS_HOST", "127.0.0.1");
        hb.environment().put("CLAWLESS_DATA_DIR", data.resolve("hub").toString());
        hb.environment().put("CLAWLESS_ADMIN_TOKEN", ADMIN_TOKEN);
        hb.environment().put("CLAWLESS_LOG_ACCESS", "false");
        hb.environment().put("CLAWLESS_DEMO_ENABLED", "false");
        Files.createDirectories(data.resolve("hub"));
        hb.redirectErrorStream(true).redirectOutput(data.resolve("hub.log").toFile());
        Path bareSource = data.resolve("BareSse.java");
        Files.writeString(bareSource, BARE);
        int barePort = freePort();
        ProcessBuilder bb = new ProcessBuilder(java, "-XX:+UseG1GC", "-cp", hubJar.toAbsolutePath().toString(),
                bareSource.toString(), Integer.toString(barePort));
        bb.redirectErrorStream(true).redirectOutput(data.resolve("bare.log").toFile());
        Process hub = hb.start();
        Process bare = bb.start();
        try {
            String hubBase = "http://127.0.0.1:" + hubPort;
            String bareBase = "http://127.0.0.1:" + barePort;
            waitReady(control, hubBase + "/health/ready");
            waitReady(control, bareBase + "/health");
            String tenant = field(send(control, post(hubBase + "/admin/tenants", ADMIN_TOKEN, "{\"name\":\"bench\","
                    + "\"quotas\":{\"messages_per_month\":-1,\"tokens_per_month\":-1,\"requests_per_minute\":-1}}")),
                    "id");
            String key = field(send(control, post(hubBase + "/admin/tenants/" + tenant + "/api-keys", ADMIN_TOKEN,
                    "{\"name\":\"bench\",\"scopes\":[\"chat\",\"conversations:read\",\"conversations:write\"]}")),
                    "key");
            String conversation = field(send(control, post(hubBase + "/v1/sessions", key, "")), "id");
            Target hubTarget = new Target() {
                public String name() {
                    return "hub";
                }

                public Process process() {
                    return hub;
                }

                public int port() {
                    return hubPort;
                }

                public String streamPath() {
                    return "/v1/conversations/" + conversation + "/events";
                }

                public Map<String, String> streamHeaders() {
                    return Map.of("Authorization", "Bearer " + key);
                }

                public void broadcast(String marker) throws IOException, InterruptedException {
                    send(control, post(hubBase + "/v1/conversations/" + conversation + "/messages", key,
                            "{\"text\":\"" + marker + "\"}"));
                }

                public long statements() {
                    try {
                        Matcher m = STATEMENTS.matcher(send(control, HttpRequest.newBuilder(URI.create(hubBase
                                + "/metrics")).build()));
                        return m.find() ? Long.parseLong(m.group(1)) : -1; // a hub from before the counter
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            Target bareTarget = new Target() {
                public String name() {
                    return "bare Helidon SSE";
                }

                public Process process() {
                    return bare;
                }

                public int port() {
                    return barePort;
                }

                public String streamPath() {
                    return "/events";
                }

                public Map<String, String> streamHeaders() {
                    return Map.of();
                }

                public void broadcast(String marker) throws IOException, InterruptedException {
                    send(control, HttpRequest.newBuilder(URI.create(bareBase + "/broadcast"))
                            .POST(HttpRequest.BodyPublishers.ofString(marker)).build());
                }

                public long statements() {
                    return -1; // no database
                }
            };
            System.out.printf(Locale.ROOT, "hub pid %d, bare Helidon SSE pid %d, %d streams, %d rounds, %d cores, "
                            + "java %s%n", hub.pid(), bare.pid(), n, rounds, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            List<double[]> hubRows = new ArrayList<>();
            List<double[]> bareRows = new ArrayList<>();
            for (int r = 1; r <= warmupRounds; r++) {
                System.out.println("warm-up round " + r + " (not counted): the JIT compiles the fan-out of both");
                round(hubTarget, n, cpuSeconds, settle, readers, messages, jcmd, 0);
                round(bareTarget, n, cpuSeconds, settle, readers, messages, jcmd, 0);
            }
            for (int r = 1; r <= rounds; r++) {
                hubRows.add(round(hubTarget, n, cpuSeconds, settle, readers, messages, jcmd, r));
                bareRows.add(round(bareTarget, n, cpuSeconds, settle, readers, messages, jcmd, r));
            }
            double[] h = median(hubRows);
            double[] b = median(bareRows);
            System.out.println();
            System.out.println("| N streams | target | heap per stream | idle CPU with N streams (cores) | idle CPU "
                    + "without streams | database statements/s with N streams (without) | broadcast p50 "
                    + "| broadcast p99 |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            System.out.println(row(n, "hub", h));
            System.out.println(row(n, "bare Helidon SSE", b));
            System.out.printf(Locale.ROOT, "| | hub / bare | %.2fx | %s | | | %.2fx | %.2fx |%n", h[0] / b[0],
                    b[1] > 0 ? String.format(Locale.ROOT, "%.2fx", h[1] / b[1]) : "bare: 0", h[2] / b[2], h[3] / b[3]);
        } finally {
            hub.destroy();
            bare.destroy();
        }
    }

    private static String row(int n, String name, double[] m) {
        return String.format(Locale.ROOT, "| %d | %s | %.1f KB | %.4f | %.4f | %s | %.1f ms | %.1f ms |", n, name,
                m[0] / 1024, m[1], m[4], m[5] < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f (%.1f)", m[5], m[6]),
                m[2], m[3]);
    }

    /**
     * Median over rounds of each figure: bytes per stream, cores, p50 ms, p99 ms, cores without streams, statements/s
     * with and without streams.
     */
    private static double[] median(List<double[]> rows) {
        double[] out = new double[7];
        for (int i = 0; i < out.length; i++) {
            List<Double> v = new ArrayList<>();
            for (double[] r : rows) {
                v.add(r[i]);
            }
            Collections.sort(v);
            out[i] = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
        }
        return out;
    }

    private static double[] round(Target t, int n, int cpuSeconds, int settle, int readers, int messages, Path jcmd,
                                  int round) throws Exception {
        long pid = t.process().pid();
        Thread.sleep(Duration.ofSeconds(settle).toMillis()); // idle means after the last burst's work is done
        long statements0 = t.statements();
        long window0 = System.nanoTime();
        double coresWithout = idleCores(pid, cpuSeconds);
        double statementsWithout = perSecond(statements0, t.statements(), window0);
        long heapBefore = heapUsed(jcmd, pid);
        SseReaders streams = new SseReaders(t.port(), t.streamPath(), t.streamHeaders(), n, readers);
        AtomicInteger connected = streams.connected;
        AtomicInteger arrived = streams.arrived;
        AtomicInteger failed = streams.closed;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (connected.get() + failed.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (connected.get() < n) {
            throw new IllegalStateException(t.name() + ": only " + connected.get() + " of " + n
                    + " streams connected (" + failed.get() + " failed)");
        }
        Thread.sleep(1000); // let the hub's replay of the stored events settle before measuring
        long heapAfter = heapUsed(jcmd, pid);
        Thread.sleep(Duration.ofSeconds(settle).toMillis());
        long statements1 = t.statements();
        long window1 = System.nanoTime();
        double cores = idleCores(pid, cpuSeconds);
        double statementsWith = perSecond(statements1, t.statements(), window1);
        for (int m = 0; m < messages; m++) {
            int target = arrived.get() + n;
            String next = "bcast-" + round + "-" + m + "-" + System.nanoTime();
            streams.sentAt.set(System.nanoTime());
            streams.marker.set(next);
            t.broadcast(next);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (arrived.get() < target && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            if (arrived.get() < target) {
                throw new IllegalStateException(t.name() + ": message reached " + (arrived.get() - target + n)
                        + " of " + n + " streams");
            }
        }
        List<Long> sorted = new ArrayList<>(streams.latencies);
        Collections.sort(sorted);
        double[] out = {(heapAfter - heapBefore) * 1024.0 / n, cores, percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6, coresWithout, statementsWith, statementsWithout};
        System.out.printf(Locale.ROOT, "round %d %-17s heap %.1f KB/stream (%d K -> %d K used), idle CPU %.4f cores"
                        + " (%.4f without streams), database statements/s %.1f (%.1f without streams), broadcast p50"
                        + " %.1f ms p99 %.1f ms%n", round, t.name(), out[0] / 1024, heapBefore, heapAfter, out[1],
                out[4], out[5], out[6], out[2], out[3]);
        streams.close();
        // the server notices a closed stream at its next write (keep-alive every 15 s): wait until its sockets close
        long closeBy = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (sockets(pid) > 50 && System.nanoTime() < closeBy) {
            Thread.sleep(200);
        }
        return out;
    }

    /** CPU of the process over {@code seconds}, in cores, from {@code /proc/<pid>/stat}. */
    private static double idleCores(long pid, int seconds) throws IOException, InterruptedException {
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(seconds).toMillis()); // the measuring window
        long cpu1 = cpuTicks(pid);
        return (cpu1 - cpu0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
    }

    /** Statements a second between two counter readings, the second taken now; -1 when the target has no counter. */
    private static double perSecond(long before, long after, long sinceNanos) {
        if (before < 0 || after < 0) {
            return -1;
        }
        return (after - before) / ((System.nanoTime() - sinceNanos) / 1e9);
    }

    private static long sockets(long pid) throws IOException {
        long count = 0;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        count++;
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return count;
    }

    /** Heap used after a full GC, in KB, from {@code jcmd GC.heap_info} (G1: the first "used"). */
    private static long heapUsed(Path jcmd, long pid) throws IOException, InterruptedException {
        exec(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = exec(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure from jcmd: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    private static String exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** utime + stime of the process, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat
    }

    private static String send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static HttpRequest post(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static void waitReady(HttpClient client, String url) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(url + " did not answer within 90 s");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** The argument reading of {@link ChatBench}, shared. */
    static final class ChatBenchArgs {
        private ChatBenchArgs() {
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
}
