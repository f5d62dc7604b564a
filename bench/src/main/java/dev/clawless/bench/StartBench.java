package dev.clawless.bench;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * {@code ./hub bench start}: how long a hub process takes from being spawned to answering {@code GET /health/ready}
 * with 200, beside a bare Helidon 4 server ({@link BareHelidon}) spawned the same way, with and without the JVM's AOT
 * cache, and how much memory the hub holds then and after its first retrieval answer.
 *
 * <p>Each round starts, one after the other: the hub on the embedded default (H2, no provider keys, the demo on) in a
 * fresh data folder and in a warm one (a folder an earlier start already migrated and seeded), the bare server, and
 * the same three with an AOT cache each. The caches are recorded first, as {@code ./hub run} records its own: the
 * hub's by {@code --aot-training}, the bare server's by one start that answers one request. Every process is a child
 * JVM with the same flags ({@code --enable-native-access=ALL-UNNAMED}, plus {@code -XX:AOTCache=…} for the cached
 * ones). Per hub start: time to ready, RSS at ready ({@code VmRSS}), then the time from ready to the demo tenant's
 * first answer from the retrieval assistant ({@code /v1/chat/completions}, which loads the embedding model; on a fresh
 * folder it also waits for the demo to be seeded) and the RSS after it. Reports each round, the medians, and the
 * median of the per-round ratios hub / bare.
 *
 * <p>Options: {@code --rounds 3}; {@code --aot off} leaves out the AOT caches (for a hub from before
 * {@code --aot-training}); {@code --baseline-jar JAR} starts another hub jar (an earlier build, without a cache) in
 * the same rounds, fresh and warm, for a before/after. The AOT cache needs a JDK 25 or newer (JEP 483/514).
 */
final class StartBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

    /** One start's figures; the answer figures are absent for the bare server. */
    record Start(double readyMs, double rssReadyMb, Optional<Double> answerMs, Optional<Double> rssAnswerMb) {
    }

    private StartBench() {
    }

    static void run(Path hubJar, String java, String[] args) throws Exception {
        int rounds = Integer.parseInt(ChatBench.arg(args, "--rounds", "3"));
        boolean withAot = !ChatBench.arg(args, "--aot", "on").equals("off");
        Optional<List<String>> baseline = Optional.ofNullable(ChatBench.arg(args, "--baseline-jar", null))
                .map(jar -> List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        Path benchJar = Path.of(StartBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path work = Files.createTempDirectory("clawless-bench-start-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        List<String> hub = List.of("-jar", hubJar.toAbsolutePath().toString());
        List<String> bare = List.of("-cp", benchJar.toString(), BareHelidon.class.getName());

        System.out.printf(Locale.ROOT, "start bench: %d cores, java %s, work folder %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), work);
        Path hubAot = work.resolve("hub.aot");
        Path bareAot = work.resolve("bare.aot");
        if (withAot) {
            train(client, java, hub, bare, hubAot, bareAot, work);
        }
        Path warm = work.resolve("warm");
        startHub(client, java, hub, Optional.empty(), warm, work); // migrates and seeds the warm folder
        Path baselineWarm = work.resolve("baseline-warm");
        if (baseline.isPresent()) {
            startHub(client, java, baseline.get(), Optional.empty(), baselineWarm, work);
        }

        Map<String, List<Start>> results = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>(List.of("hub, fresh folder", "hub, warm folder", "bare Helidon"));
        if (baseline.isPresent()) {
            targets.addAll(List.of("baseline hub, fresh folder", "baseline hub, warm folder"));
        }
        if (withAot) {
            targets.addAll(List.of("hub, fresh folder, AOT cache", "hub, warm folder, AOT cache",
                    "bare Helidon, AOT cache"));
        }
        targets.forEach(t -> results.put(t, new ArrayList<>()));
        for (int r = 1; r <= rounds; r++) {
            for (boolean aot : withAot ? new boolean[] {false, true} : new boolean[] {false}) {
                Optional<String> hubCache = aot ? Optional.of("-XX:AOTCache=" + hubAot) : Optional.empty();
                Optional<String> bareCache = aot ? Optional.of("-XX:AOTCache=" + bareAot) : Optional.empty();
                String suffix = aot ? ", AOT cache" : "";
                Path fresh = work.resolve("fresh-" + r + (aot ? "-aot" : ""));
                record(results, "hub, fresh folder" + suffix, r, startHub(client, java, hub, hubCache, fresh, work));
                record(results, "hub, warm folder" + suffix, r, startHub(client, java, hub, hubCache, warm, work));
                record(results, "bare Helidon" + suffix, r, startBare(client, java, bare, bareCache));
                if (!aot && baseline.isPresent()) {
                    record(results, "baseline hub, fresh folder", r, startHub(client, java, baseline.get(),
                            Optional.empty(), work.resolve("baseline-fresh-" + r), work));
                    record(results, "baseline hub, warm folder", r, startHub(client, java, baseline.get(),
                            Optional.empty(), baselineWarm, work));
                }
            }
        }

        List<String> table = new ArrayList<>();
        table.add("| target | start to ready, ms (median) | RSS at ready, MB | first retrieval answer after ready, ms"
                + " | RSS after it, MB |");
        table.add("|---|---|---|---|---|");
        for (String target : targets) {
            List<Start> s = results.get(target);
            table.add(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %s | %s |", target,
                    median(s, Start::readyMs), median(s, Start::rssReadyMb),
                    s.get(0).answerMs().isPresent() ? String.format(Locale.ROOT, "%.0f",
                            median(s, x -> x.answerMs().orElseThrow())) : "",
                    s.get(0).rssAnswerMb().isPresent() ? String.format(Locale.ROOT, "%.0f",
                            median(s, x -> x.rssAnswerMb().orElseThrow())) : ""));
        }
        table.add("");
        table.add("| ratio (median of the per-round ratios of start to ready) | value |");
        table.add("|---|---|");
        ratio(table, results, "hub, fresh folder", "bare Helidon");
        ratio(table, results, "hub, warm folder", "bare Helidon");
        if (baseline.isPresent()) {
            ratio(table, results, "baseline hub, fresh folder", "bare Helidon");
            ratio(table, results, "baseline hub, warm folder", "bare Helidon");
            ratio(table, results, "hub, fresh folder", "baseline hub, fresh folder");
            ratio(table, results, "hub, warm folder", "baseline hub, warm folder");
            if (withAot) {
                ratio(table, results, "hub, fresh folder, AOT cache", "baseline hub, fresh folder");
                ratio(table, results, "hub, warm folder, AOT cache", "baseline hub, warm folder");
            }
        }
        if (!withAot) {
            System.out.println();
            table.forEach(System.out::println);
            return;
        }
        ratio(table, results, "hub, fresh folder, AOT cache", "bare Helidon, AOT cache");
        ratio(table, results, "hub, warm folder, AOT cache", "bare Helidon, AOT cache");
        ratio(table, results, "hub, fresh folder, AOT cache", "bare Helidon");
        ratio(table, results, "hub, warm folder, AOT cache", "bare Helidon");
        ratio(table, results, "hub, fresh folder, AOT cache", "hub, fresh folder");
        ratio(table, results, "hub, warm folder, AOT cache", "hub, warm folder");
        System.out.println();
        table.forEach(System.out::println);
    }

    /** Records the AOT caches: the hub's by {@code --aot-training}, as {@code ./hub run} does, and the bare server's. */
    private static void train(HttpClient client, String java, List<String> hub, List<String> bare, Path hubAot,
                              Path bareAot, Path work) throws Exception {
        Process training = new ProcessBuilder(command(java, Optional.of("-XX:AOTCacheOutput=" + hubAot), hub,
                "--aot-training")).redirectErrorStream(true).redirectOutput(work.resolve("hub-training.log").toFile())
                .start();
        if (training.waitFor() != 0 || !Files.exists(hubAot)) {
            throw new IllegalStateException("the hub's training run failed; see " + work.resolve("hub-training.log"));
        }
        bareTraining(client, java, bare, bareAot, work);
    }

    private static void record(Map<String, List<Start>> results, String target, int round, Start s) {
        results.get(target).add(s);
        System.out.printf(Locale.ROOT, "round %d  %-30s ready %6.0f ms  RSS %4.0f MB%s%n", round, target, s.readyMs(),
                s.rssReadyMb(), s.answerMs().map(a -> String.format(Locale.ROOT, "  first answer +%.0f ms, RSS %.0f MB",
                        a, s.rssAnswerMb().orElseThrow())).orElse(""));
    }

    private static void ratio(List<String> table, Map<String, List<Start>> results, String a, String b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < results.get(a).size(); i++) {
            ratios.add(results.get(a).get(i).readyMs() / results.get(b).get(i).readyMs());
        }
        Collections.sort(ratios);
        table.add(String.format(Locale.ROOT, "| %s / %s | %.2f |", a, b, ratios.get(ratios.size() / 2)));
    }

    private static double median(List<Start> starts, ToDoubleFunction<Start> f) {
        List<Double> values = new ArrayList<>(starts.stream().map(f::applyAsDouble).toList());
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    private static List<String> command(String java, Optional<String> cache, List<String> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java, NATIVE));
        cache.ifPresent(cmd::add);
        cmd.addAll(main);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Start startHub(HttpClient client, String java, List<String> hub, Optional<String> cache, Path data,
                                  Path work) throws Exception {
        Files.createDirectories(data);
        int port = ChatBench.freePort();
        ProcessBuilder pb = new ProcessBuilder(command(java, cache, hub));
        pb.environment().put("CLAWLESS_PORT", Integer.toString(port));
        pb.environment().put("CLAWLESS_HOST", "127.0.0.1");
        pb.environment().put("CLAWLESS_DATA_DIR", data.toString());
        pb.environment().put("CLAWLESS_ADMIN_TOKEN", ADMIN_TOKEN);
        // the server would wait out a 10 s grace for this driver's idle keep-alive connection at every stop
        pb.environment().put("CLAWLESS_HTTP_SHUTDOWN_GRACE", "1s");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("hub.log").toFile()));
        String base = "http://127.0.0.1:" + port;
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            double ready = untilReady(client, base, p, t0);
            double rssReady = rssMb(p);
            long t1 = System.nanoTime();
            String tenant = demoTenant(data, p);
            String key = ChatBench.field(client.send(ChatBench.post(base + "/admin/tenants/" + tenant + "/api-keys",
                    ADMIN_TOKEN, "{\"name\":\"bench\",\"scopes\":[\"chat\"]}"), HttpResponse.BodyHandlers.ofString())
                    .body(), "key");
            HttpResponse<String> answer = client.send(ChatBench.post(base + "/v1/chat/completions", key,
                    "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"Which channels do you"
                            + " support?\"}]}"), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("the first question answered " + answer.statusCode() + ": "
                        + answer.body());
            }
            double answerMs = (System.nanoTime() - t1) / 1e6;
            return new Start(ready, rssReady, Optional.of(answerMs), Optional.of(rssMb(p)));
        } finally {
            stop(p);
        }
    }

    private static Start startBare(HttpClient client, String java, List<String> bare, Optional<String> cache)
            throws Exception {
        int port = ChatBench.freePort();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command(java, cache, bare, Integer.toString(port)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            double ready = untilReady(client, "http://127.0.0.1:" + port, p, t0);
            return new Start(ready, rssMb(p), Optional.empty(), Optional.empty());
        } finally {
            stop(p);
        }
    }

    /** The bare server's AOT cache: one start that answers one request, then stops (the JVM writes it at exit). */
    private static void bareTraining(HttpClient client, String java, List<String> bare, Path cache, Path work)
            throws Exception {
        int port = ChatBench.freePort();
        Process p = new ProcessBuilder(command(java, Optional.of("-XX:AOTCacheOutput=" + cache), bare,
                Integer.toString(port))).redirectErrorStream(true)
                .redirectOutput(work.resolve("bare-training.log").toFile()).start();
        untilReady(client, "http://127.0.0.1:" + port, p, System.nanoTime());
        stop(p);
        if (!Files.exists(cache)) {
            throw new IllegalStateException("the bare server's training run wrote no cache; see "
                    + work.resolve("bare-training.log"));
        }
    }

    /** Polls {@code /health/ready} every 5 ms; answers the milliseconds from {@code t0} to the first 200. */
    private static double untilReady(HttpClient client, String base, Process p, long t0) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/health/ready")).timeout(Duration.ofSeconds(5))
                .build();
        long end = t0 + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1e6;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("the process exited with " + p.exitValue() + " before it was ready");
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("not ready within 120 s");
    }

    /** The demo tenant's id, once the hub has seeded it (in the background after ready). */
    private static String demoTenant(Path data, Process p) throws Exception {
        Path marker = data.resolve("demo.json");
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end && p.isAlive()) {
            if (Files.exists(marker)) {
                String json = Files.readString(marker, StandardCharsets.UTF_8);
                if (json.contains("tenant_id")) {
                    return ChatBench.field(json, "tenant_id");
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the demo was not seeded in " + data);
    }

    /** Resident memory of the process, from {@code /proc/<pid>/status}. */
    private static double rssMb(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + p.pid());
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }
}
