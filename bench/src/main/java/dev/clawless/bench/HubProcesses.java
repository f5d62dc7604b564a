package dev.clawless.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The processes a load bench starts: the hub under test, and the bare Helidon anchor. */
final class HubProcesses {

    private HubProcesses() {
    }

    /**
     * A hub process on 127.0.0.1:{@code port} with its data in {@code data} (log in {@code data/hub.log}), the given
     * admin token, no access log, and every {@code --env KEY=VALUE} of {@code args}; callers add their own settings
     * before starting it.
     */
    static ProcessBuilder hub(String java, Path hubJar, int port, Path data, String adminToken, String[] args) {
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar",
                hubJar.toAbsolutePath().toString());
        pb.environment().put("CLAWLESS_PORT", Integer.toString(port));
        pb.environment().put("CLAWLESS_HOST", "127.0.0.1");
        pb.environment().put("CLAWLESS_DATA_DIR", data.toString());
        pb.environment().put("CLAWLESS_ADMIN_TOKEN", adminToken);
        pb.environment().put("CLAWLESS_LOG_ACCESS", "false");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--env")) {
                String[] kv = args[i + 1].split("=", 2);
                pb.environment().put(kv[0], kv[1]);
            }
        }
        pb.redirectErrorStream(true).redirectOutput(data.resolve("hub.log").toFile());
        return pb;
    }

    /** Starts {@link BareHelidon} on {@code port} and returns once it says it is ready (its output then drained). */
    static Process bare(String java, Path benchJar, int port) throws IOException {
        Process bare = new ProcessBuilder(java, "-cp", benchJar.toString(), BareHelidon.class.getName(),
                Integer.toString(port)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(bare.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        while (line != null && !line.startsWith("ready")) {
            line = out.readLine();
        }
        if (line == null) {
            bare.destroy();
            throw new IllegalStateException("the bare Helidon server did not start");
        }
        // drained until it exits (closing the reader here would wait for it)
        Thread.ofVirtual().start(() -> {
            try {
                out.lines().forEach(l -> { });
            } catch (java.io.UncheckedIOException closed) {
                // the process was stopped
            }
        });
        return bare;
    }
}
