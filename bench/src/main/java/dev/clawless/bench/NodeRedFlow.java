package dev.clawless.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A second anchor for {@code ./hub bench ingest --node-red}: a Node-RED 4 flow ({@code node-red/flows.json} in this
 * jar) that does what a low-code webhook receiver does at the least — an {@code http in} node, a function that checks
 * the Telegram secret header in constant time and parses the update, an {@code http response}. Node-RED is installed
 * once from the npm registry into {@code <tmp>/clawless-bench-node-red} and runs as its own {@code node} process.
 */
final class NodeRedFlow implements AutoCloseable {

    private final Process process;
    final String base;

    private NodeRedFlow(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static NodeRedFlow start(HttpClient client, String secret) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "clawless-bench-node-red");
        Path user = dir.resolve("user");
        Files.createDirectories(user);
        copy("package.json", dir.resolve("package.json"));
        copy("settings.js", user.resolve("settings.js"));
        copy("flows.json", user.resolve("flows.json"));
        if (!Files.exists(dir.resolve("node_modules/node-red/red.js"))) {
            System.out.println("installing Node-RED into " + dir + " (npm install, once)");
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund").directory(dir.toFile())
                    .inheritIO().start();
            if (npm.waitFor() != 0) {
                throw new IllegalStateException("npm install of Node-RED failed in " + dir);
            }
        }
        int port = ChatBench.freePort();
        ProcessBuilder pb = new ProcessBuilder("node", "node_modules/node-red/red.js", "-u", "user", "-s",
                "user/settings.js").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-red.log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("WEBHOOK_SECRET", secret);
        NodeRedFlow flow = new NodeRedFlow(pb.start(), "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(flow.base + "/hooks/probe"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 401) {
                    return flow; // the flow runs and refuses an unsigned request
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        flow.close();
        throw new IllegalStateException("Node-RED did not start within 60 s; see " + dir.resolve("node-red.log"));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = NodeRedFlow.class.getResourceAsStream("/node-red/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("node-red/" + resource + " is missing from the bench jar");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
