package dev.clawless.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Builds the distribution tarball with {@code dist/build-dist.sh} from the hub this build just packaged, unpacks it
 * into an empty folder and runs it the way a server would: with no JDK, Maven or Node on {@code PATH} and no {@code
 * JAVA_HOME}, only the handful of POSIX tools its launcher uses.
 */
class DistributionTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path home;
    private static Path tools;

    /** What one command printed and how it ended. */
    private record Run(int status, String output) {
    }

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        Path target = ROOT.resolve("dist/target");
        Path out = target.resolve("dist-test");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Run built = run(List.of("bash", ROOT.resolve("dist/build-dist.sh").toString(), "--out", out.toString()),
                env, ROOT, null, 600);
        assertEquals(0, built.status(), built.output());
        String[] lines = built.output().strip().split("\n");
        Path tarball = Path.of(lines[lines.length - 1]);
        assertTrue(Files.isRegularFile(tarball), built.output());
        assertTrue(tarball.getFileName().toString().matches("clawless-.+-linux-x64\\.tar\\.gz"), tarball.toString());

        Path empty = Files.createTempDirectory(target, "unpacked-");
        Run unpacked = run(List.of("tar", "-xzf", tarball.toString(), "-C", empty.toString()), System.getenv(), empty,
                null, 120);
        assertEquals(0, unpacked.status(), unpacked.output());
        try (Stream<Path> top = Files.list(empty)) {
            List<Path> entries = top.toList();
            assertEquals(1, entries.size(), "one folder at the top of the tarball: " + entries);
            home = entries.get(0);
        }
        // the only programs on PATH: what bin/clawless itself calls
        tools = Files.createDirectories(empty.resolve("tools"));
        for (String tool : List.of("dirname", "readlink", "sed")) {
            Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                    .findFirst().orElseThrow();
            Files.createSymbolicLink(tools.resolve(tool), found);
        }
    }

    /** An environment without a JDK, Maven or Node: nothing of the build machine's PATH or JAVA_HOME. */
    private static Map<String, String> bare() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", tools.toString());
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        return env;
    }

    @Test
    void theLayoutHoldsEverythingTheServerNeeds() {
        for (String path : List.of("bin/clawless", "runtime/bin/java", "lib/clawless-hub.jar", "lib/libs",
                "config/defaults.yaml", "config/clawless.example.yaml", "systemd/clawless.service", "Dockerfile",
                "compose.yaml", "docs/operations.md", "VERSION")) {
            assertTrue(Files.exists(home.resolve(path)), path);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/clawless")));
        // a linked runtime, not a JDK: no compiler, no jmods
        assertFalse(Files.exists(home.resolve("runtime/bin/javac")));
    }

    @Test
    void theBareEnvironmentHasNoJavaMavenOrNode() throws Exception {
        Run which = run(List.of("/bin/sh", "-c", "for p in java javac mvn node npm; do command -v $p; done; echo end"),
                bare(), home, null, 30);
        assertEquals("end", which.output().strip(), "found on the bare PATH: " + which.output());
    }

    @Test
    void versionHelpAndAnUnknownCommand() throws Exception {
        Run version = run(List.of(home.resolve("bin/clawless").toString(), "version"), bare(), home, null, 60);
        assertEquals(0, version.status(), version.output());
        String expected = Files.readString(home.resolve("VERSION")).strip();
        assertTrue(version.output().contains("Clawless " + expected), version.output());
        // the Java it runs on is the distribution's own
        assertTrue(version.output().contains(home.resolve("runtime").toString()), version.output());

        Run help = run(List.of(home.resolve("bin/clawless").toString(), "help"), bare(), home, null, 30);
        assertEquals(0, help.status());
        for (String command : List.of("run", "migrate", "create-admin", "backup", "restore", "version")) {
            assertTrue(help.output().contains("clawless " + command), help.output());
        }
        Run unknown = run(List.of(home.resolve("bin/clawless").toString(), "frobnicate"), bare(), home, null, 30);
        assertEquals(2, unknown.status(), unknown.output());
        assertTrue(unknown.output().contains("unknown command 'frobnicate'"), unknown.output());
    }

    @Test
    void migrateCreateAnAdminThenRunAndSignIn() throws Exception {
        Path data = Files.createTempDirectory(home.getParent(), "data-");
        Map<String, String> env = bare();
        env.put("CLAWLESS_DATA_DIR", data.toString());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        env.put("CLAWLESS_PORT", Integer.toString(port));

        Run migrated = run(List.of(home.resolve("bin/clawless").toString(), "migrate"), env, home, null, 120);
        assertEquals(0, migrated.status(), migrated.output());
        assertTrue(migrated.output().contains("is at schema version " + newestMigration()), migrated.output());

        Run refused = run(List.of(home.resolve("bin/clawless").toString(), "create-admin", "--email", "ops@example.com",
                "--name", "Ops"), env, home, "short\n", 120);
        assertEquals(2, refused.status(), refused.output());
        assertTrue(refused.output().contains("password must be 10-200 characters"), refused.output());

        Run created = run(List.of(home.resolve("bin/clawless").toString(), "create-admin", "--email", "ops@example.com",
                "--name", "Ops"), env, home, "correct horse battery\n", 120);
        assertEquals(0, created.status(), created.output());
        assertTrue(created.output().contains("created platform admin ops@example.com"), created.output());

        // the start-up cache recorded with this runtime must load where the tarball was unpacked: AOTMode=on makes a
        // cache the JVM cannot use an error instead of a warning
        Path aotFlags = home.resolve("lib/clawless-hub.aot.flags");
        boolean aot = Files.exists(aotFlags) && Files.readString(aotFlags).contains("-XX:AOTCache=");
        if (aot) {
            env.put("JAVA_OPTS", "-XX:AOTMode=on");
        }
        Path log = data.resolve("hub.log");
        ProcessBuilder start = new ProcessBuilder(home.resolve("bin/clawless").toString(), "run")
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        start.environment().clear();
        start.environment().putAll(env);
        Process hub = start.start();
        hub.getOutputStream().close();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            waitReady(http, base, hub, log);
            // the launcher exec'd the runtime inside the unpacked folder
            String command = hub.info().command().orElse("");
            assertEquals(home.resolve("runtime/bin/java").toString(), command);

            HttpResponse<String> console = http.send(HttpRequest.newBuilder(URI.create(base + "/console")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, console.statusCode());
            assertTrue(console.body().contains("<html"), console.body());

            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"ops@example.com\","
                            + "\"password\":\"correct horse battery\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode(), login.body());
            JsonNode me = JSON.readTree(login.body());
            assertTrue(me.path("user").path("platform_admin").asBoolean(), login.body());

            // the demo page, answered by the embedded assistant (it appears once the demo's FAQ is embedded)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            HttpResponse<String> page;
            do {
                page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (!page.body().contains("data-title=\"Clawless demo\"") && System.nanoTime() < deadline && pause());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("data-title=\"Clawless demo\""), page.body());
        } finally {
            hub.destroy(); // SIGTERM, as systemd stops it
            assertTrue(hub.waitFor(60, TimeUnit.SECONDS), "the hub stops on SIGTERM");
        }
        String printed = Files.readString(log);
        assertTrue(printed.contains("Clawless hub is running at"), printed);
        assertFalse(printed.contains("[warning][aot"), "the start-up cache loads without warnings:\n" + printed);
        // with the hub stopped: a backup from the command line, restored into a new data folder, and only once
        env.remove("JAVA_OPTS"); // AOTMode=on was for the run, the only command the start-up cache is for
        Path archives = data.resolve("cli-backups");
        Run backedUp = run(List.of(home.resolve("bin/clawless").toString(), "backup", "--out", archives.toString()),
                env, home, null, 120);
        assertEquals(0, backedUp.status(), backedUp.output());
        assertTrue(backedUp.output().contains("backup written"), backedUp.output());
        Path archive;
        try (Stream<Path> files = Files.list(archives)) {
            archive = files.filter(f -> f.getFileName().toString().endsWith(".zip")).findFirst().orElseThrow();
        }
        Map<String, String> elsewhere = bare();
        elsewhere.put("CLAWLESS_DATA_DIR", Files.createTempDirectory(home.getParent(), "restored-").toString());
        Run restored = run(List.of(home.resolve("bin/clawless").toString(), "restore", archive.toString()), elsewhere,
                home, null, 120);
        assertEquals(0, restored.status(), restored.output());
        assertTrue(restored.output().contains("now at schema version " + newestMigration()), restored.output());
        Run again = run(List.of(home.resolve("bin/clawless").toString(), "restore", archive.toString()), elsewhere,
                home, null, 120);
        assertEquals(2, again.status(), again.output());
        assertTrue(again.output().contains("restore refused, nothing was changed"), again.output());

        // the embedding runtime's native library was unpacked under the data folder, not under a home folder that a
        // service user may not have
        assertTrue(Files.isDirectory(data.resolve("cache/djl")), "DJL's cache under the data folder");
    }

    private static boolean pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    private static void waitReady(HttpClient http, String base, Process hub, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!hub.isAlive()) {
                throw new AssertionError("the hub exited with " + hub.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            pause();
        }
        throw new AssertionError("the hub was not ready in 90 s:\n" + Files.readString(log));
    }

    /** The newest migration's version, from the hub's sources. */
    private static String newestMigration() throws IOException {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        try (Stream<Path> files = Files.list(ROOT.resolve("hub-core/src/main/resources/db/migration"))) {
            return Integer.toString(files.map(p -> version.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow());
        }
    }

    private static Run run(List<String> command, Map<String, String> env, Path dir, String input, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process p = builder.start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end in " + seconds + " s");
        }
        return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
