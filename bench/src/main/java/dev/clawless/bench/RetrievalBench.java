package dev.clawless.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./hub bench retrieval}: {@code /v1/chat/completions} answered by the embedded retrieval assistant
 * ({@code model: retrieval}, no LLM), against a bare Helidon 4 endpoint in the same interleaved rounds.
 *
 * <p>Starts, each as its own process, the hub (H2 under a temporary folder, demo off) and {@link BareHelidon}, whose
 * {@code POST /v1/chat/completions} reads the body and answers a fixed completion. Provisions a tenant with the shop
 * FAQ of the knowledge evaluation in English, Spanish and Portuguese (54 entries, {@code retrieval/faq.json}), then
 * for each client count alternates rounds: {@code N} clients send non-streaming completions back to back for
 * {@code duration} seconds to the hub, then the same requests to the anchor. The questions rotate through
 * {@link #phrasings()}: the 120 question cores of the evaluation (en/es/pt, two in three answerable) each with every
 * opener and closer of its language — 3,600 distinct texts in a fixed cycle, so a text comes back only after all the
 * others and a cache of fewer entries (answers, query embeddings) would never be hit. Before the
 * rounds, one pass over the 120 cores checks what the hub answers (right FAQ answer, refusal), so a faster hub is
 * also seen to answer the same. Each round also reports each process's CPU per request ({@code /proc/<pid>/stat}),
 * steadier than requests per second on a machine shared with other work.
 *
 * <p>Options: {@code --duration 10}, {@code --rounds 3}, {@code --concurrency 16} (comma-separated list),
 * {@code --warmup 10} (seconds, both servers), any {@code --env KEY=VALUE} for the hub process (a
 * {@code JAVA_TOOL_OPTIONS=-XX:StartFlightRecording=…} profiles it).
 */
final class RetrievalBench {

    private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";
    private static final List<String> REFUSALS = List.of("I'm sorry, I couldn't find an answer",
            "Lo siento, no he encontrado", "Desculpe, não encontrei");
    private static final Map<String, List<String>> OPENERS = Map.of(
            "en", List.of("", "Hi, ", "Hello! ", "Good morning. ", "Hey there, quick question: ", "Hi team, "),
            "es", List.of("", "Hola, ", "¡Buenas! ", "Buenos días. ", "Hola, una pregunta: ", "Buenas tardes, "),
            "pt", List.of("", "Olá, ", "Oi! ", "Bom dia. ", "Olá, uma dúvida: ", "Boa tarde, "));
    private static final Map<String, List<String>> CLOSERS = Map.of(
            "en", List.of("", " Thanks!", " Thank you.", " Cheers", " Thanks in advance."),
            "es", List.of("", " ¡Gracias!", " Muchas gracias.", " Saludos", " Gracias de antemano."),
            "pt", List.of("", " Obrigado!", " Muito obrigada.", " Abraços", " Desde já agradeço."));

    /** A question core: its language, the FAQ entry that answers it (empty for none), its text. */
    record Core(String language, String expect, String text) {
    }

    private RetrievalBench() {
    }

    static void run(String[] args) throws Exception {
        Path hubJar = Path.of(ChatBench.arg(args, "--hub-jar", "hub-server/target/clawless-hub.jar"));
        String java = ChatBench.arg(args, "--java", ProcessHandle.current().info().command().orElse("java"));
        int duration = Integer.parseInt(ChatBench.arg(args, "--duration", "10"));
        int rounds = Integer.parseInt(ChatBench.arg(args, "--rounds", "3"));
        int warmup = Integer.parseInt(ChatBench.arg(args, "--warmup", "10"));
        List<Integer> concurrencies = new ArrayList<>();
        for (String c : ChatBench.arg(args, "--concurrency", "16").split(",")) {
            concurrencies.add(Integer.parseInt(c.trim()));
        }
        if (!Files.exists(hubJar)) {
            throw new IllegalStateException(hubJar + " is missing: build the hub first (./hub build)");
        }
        Path benchJar = Path.of(RetrievalBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> phrasings = phrasings();

        Path data = Files.createTempDirectory("clawless-bench-retrieval-");
        int port = ChatBench.freePort();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar",
                hubJar.toAbsolutePath().toString());
        pb.environment().put("CLAWLESS_PORT", Integer.toString(port));
        pb.environment().put("CLAWLESS_HOST", "127.0.0.1");
        pb.environment().put("CLAWLESS_DATA_DIR", data.toString());
        pb.environment().put("CLAWLESS_ADMIN_TOKEN", ADMIN_TOKEN);
        pb.environment().put("CLAWLESS_LOG_ACCESS", "false");
        pb.environment().put("CLAWLESS_DEMO_ENABLED", "false");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--env")) {
                String[] kv = args[i + 1].split("=", 2);
                pb.environment().put(kv[0], kv[1]);
            }
        }
        pb.redirectErrorStream(true).redirectOutput(data.resolve("hub.log").toFile());
        Process hub = pb.start();
        int barePort = ChatBench.freePort();
        Process bare = new ProcessBuilder(java, "-cp", benchJar.toString(), BareHelidon.class.getName(),
                Integer.toString(barePort)).redirectErrorStream(true).start();
        String hubBase = "http://127.0.0.1:" + port;
        String bareBase = "http://127.0.0.1:" + barePort;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(bare.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith("ready")) {
                line = out.readLine();
            }
            if (line == null) {
                throw new IllegalStateException("the bare Helidon server did not start");
            }
            // the anchor's output is drained until it exits (closing the reader here would wait for it)
            Thread.ofVirtual().start(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (UncheckedIOException closed) {
                    // the anchor was stopped
                }
            });
            ChatBench.waitReady(client, hubBase);
            String key = provision(client, hubBase);
            System.out.printf(Locale.ROOT, "retrieval bench: hub %s (pid %d, log %s), bare Helidon %s (pid %d),"
                            + " %d cores, java %s, %d distinct questions%n", hubBase, hub.pid(),
                    data.resolve("hub.log"), bareBase, bare.pid(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), phrasings.size());
            System.out.println(quality(client, hubBase, key));
            String hubUrl = hubBase + "/v1/chat/completions";
            String bareUrl = bareBase + "/v1/chat/completions";
            AtomicLong next = new AtomicLong();
            round(client, hubUrl, key, phrasings, next, 16, warmup);
            round(client, bareUrl, key, phrasings, next, 16, warmup);
            List<String> table = new ArrayList<>();
            table.add("| clients | round | hub req/s | bare req/s | hub / bare | hub p50 / p99 ms | bare p50 / p99 ms"
                    + " | hub CPU ms/req | bare CPU ms/req | hub errors |");
            table.add("|---|---|---|---|---|---|---|---|---|---|");
            for (int c : concurrencies) {
                List<Double> ratios = new ArrayList<>();
                List<Double> p99s = new ArrayList<>();
                List<Double> cpus = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    double hubCpu = cpuSeconds(hub.pid());
                    Load.Result h = round(client, hubUrl, key, phrasings, next, c, duration);
                    hubCpu = cpuSeconds(hub.pid()) - hubCpu;
                    double bareCpu = cpuSeconds(bare.pid());
                    Load.Result b = round(client, bareUrl, key, phrasings, next, c, duration);
                    bareCpu = cpuSeconds(bare.pid()) - bareCpu;
                    double ratio = h.perSecond() / b.perSecond();
                    double hubPerRequest = hubCpu * 1000 / Math.max(1, h.perSecond() * duration);
                    ratios.add(ratio);
                    p99s.add(h.p99());
                    cpus.add(hubPerRequest);
                    String row = String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.4f | %.1f / %.1f"
                                    + " | %.2f / %.2f | %.2f | %.3f | %d |", c, r, h.perSecond(), b.perSecond(), ratio,
                            h.p50(), h.p99(), b.p50(), b.p99(), hubPerRequest,
                            bareCpu * 1000 / Math.max(1, b.perSecond() * duration), h.errors());
                    System.out.println(row);
                    table.add(row);
                }
                Collections.sort(ratios);
                Collections.sort(p99s);
                Collections.sort(cpus);
                String median = String.format(Locale.ROOT, "| %d | **median** | | | **%.4f** | p99 %.1f | | %.2f | |"
                        + " |", c, ratios.get(ratios.size() / 2), p99s.get(p99s.size() / 2), cpus.get(cpus.size() / 2));
                System.out.println(median);
                table.add(median);
            }
            System.out.println();
            table.forEach(System.out::println);
        } finally {
            hub.destroy();
            bare.destroy();
            hub.waitFor();
            bare.waitFor();
        }
    }

    /**
     * CPU seconds (user and system) the process has used so far, from {@code /proc/<pid>/stat}: on a machine shared
     * with other work, the CPU a request costs is steadier than requests per second. Zero where there is no /proc.
     */
    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 (utime, stime) of proc(5), counted after the command's closing parenthesis
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static Load.Result round(HttpClient client, String url, String key, List<String> phrasings,
                                     AtomicLong next, int concurrency, int seconds) throws InterruptedException {
        return Load.run(client, concurrency, seconds, () -> ChatBench.post(url, key,
                body(phrasings.get((int) (next.getAndIncrement() % phrasings.size())))));
    }

    private static String body(String question) {
        return "{\"model\":\"retrieval\",\"messages\":[{\"role\":\"user\",\"content\":\"" + escape(question)
                + "\"}]}";
    }

    /**
     * One pass over the question cores, each in one of its phrasings: how many answerable ones got their entry's
     * answer, how many of the others were refused.
     */
    private static String quality(HttpClient client, String base, String key)
            throws IOException, InterruptedException {
        Map<String, String> answers = new HashMap<>();
        for (Map.Entry<String, List<String[]>> language : faq().entrySet()) {
            language.getValue().forEach(e -> answers.put(language.getKey() + "/" + e[0], e[2]));
        }
        int answerable = 0;
        int right = 0;
        int unanswerable = 0;
        int refused = 0;
        List<Core> cores = cores();
        for (int i = 0; i < cores.size(); i++) {
            Core c = cores.get(i);
            String text = OPENERS.get(c.language()).get(i % 6) + c.text() + CLOSERS.get(c.language()).get(i % 5);
            HttpResponse<String> r = client.send(ChatBench.post(base + "/v1/chat/completions", key, body(text)),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the hub answered " + r.statusCode() + ": " + r.body());
            }
            boolean refusal = REFUSALS.stream().anyMatch(r.body()::contains);
            if (c.expect().isEmpty()) {
                unanswerable++;
                refused += refusal ? 1 : 0;
            } else {
                answerable++;
                right += r.body().contains(answers.get(c.language() + "/" + c.expect())) ? 1 : 0;
            }
        }
        return String.format(Locale.ROOT, "answers: %d/%d answerable questions got their entry's answer, %d/%d others"
                + " were refused", right, answerable, refused, unanswerable);
    }

    /** Every core with every opener and closer of its language, in a fixed shuffled order. */
    static List<String> phrasings() {
        Set<String> out = new LinkedHashSet<>();
        for (Core c : cores()) {
            for (String opener : OPENERS.get(c.language())) {
                for (String closer : CLOSERS.get(c.language())) {
                    out.add(opener + c.text() + closer);
                }
            }
        }
        List<String> shuffled = new ArrayList<>(out);
        Collections.shuffle(shuffled, new Random(13));
        return shuffled;
    }

    static List<Core> cores() {
        List<Core> out = new ArrayList<>();
        for (String line : resource("retrieval/questions.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            out.add(new Core(f[0], f[1].equals("-") ? "" : f[1], f[2]));
        }
        return out;
    }

    /** The FAQ per language: each entry's id, question and answer, as JSON string contents (escaped). */
    private static Map<String, List<String[]>> faq() {
        String json = resource("retrieval/faq.json");
        Map<String, List<String[]>> out = new HashMap<>();
        Pattern language = Pattern.compile("\"(en|es|pt)\":\\s*\\[");
        Pattern entry = Pattern.compile("\\{\"id\":\\s*\"([^\"]+)\",\\s*\"q\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\",\\s*"
                + "\"a\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"}");
        Matcher l = language.matcher(json);
        while (l.find()) {
            int end = json.indexOf(']', l.end());
            Matcher e = entry.matcher(json.substring(l.end(), end));
            List<String[]> entries = new ArrayList<>();
            while (e.find()) {
                entries.add(new String[] {e.group(1), e.group(2), e.group(3)});
            }
            out.put(l.group(1), entries);
        }
        return out;
    }

    private static String provision(HttpClient client, String base) throws IOException, InterruptedException {
        String tenant = ChatBench.field(client.send(ChatBench.post(base + "/admin/tenants", ADMIN_TOKEN,
                        "{\"name\":\"bench\",\"quotas\":{\"messages_per_month\":-1,\"tokens_per_month\":-1,"
                                + "\"requests_per_minute\":-1}}"), HttpResponse.BodyHandlers.ofString()).body(), "id");
        String key = ChatBench.field(client.send(ChatBench.post(base + "/admin/tenants/" + tenant + "/api-keys",
                ADMIN_TOKEN, "{\"name\":\"bench\",\"scopes\":[\"chat\",\"knowledge:admin\"]}"),
                HttpResponse.BodyHandlers.ofString()).body(), "key");
        for (Map.Entry<String, List<String[]>> language : faq().entrySet()) {
            StringBuilder body = new StringBuilder("{\"title\":\"Shop FAQ (" + language.getKey()
                    + ")\",\"format\":\"faq\",\"content\":[");
            for (String[] e : language.getValue()) {
                body.append(body.charAt(body.length() - 1) == '[' ? "" : ",").append("{\"q\":\"").append(e[1])
                        .append("\",\"a\":\"").append(e[2]).append("\"}");
            }
            body.append("]}");
            HttpResponse<String> r = client.send(ChatBench.post(base + "/v1/knowledge/documents", key,
                    body.toString()), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("adding the FAQ failed: " + r.statusCode() + " " + r.body());
            }
        }
        return key;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String resource(String name) {
        try (InputStream in = RetrievalBench.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the bench jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
