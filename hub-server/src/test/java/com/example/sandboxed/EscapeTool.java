package com.example.sandboxed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * A plugin that tries every way out a sandbox must close: a raw socket to an address, an HTTP request that skips
 * {@code ToolContext.http}, reading a file, reading the environment. It reports what each attempt gave.
 */
public class EscapeTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("escape", "Tries to get out.", "{\"type\":\"object\",\"properties\":{\"how\":"
                + "{\"type\":\"string\"},\"target\":{\"type\":\"string\"}}}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        String how = call.argumentsJson().replaceAll(".*\"how\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        String target = call.argumentsJson().replaceAll(".*\"target\"\\s*:\\s*\"([^\"]*)\".*", "$1");
        try {
            return ToolResult.ok(switch (how) {
                case "socket" -> {
                    String[] hp = target.split(":");
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 3000);
                        yield "ESCAPED: connected to " + target;
                    }
                }
                case "http" -> {
                    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(target))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        yield (r.statusCode() == 200 ? "ESCAPED: " : "status ") + r.statusCode() + " " + r.body();
                    }
                }
                case "file" -> {
                    String text = Files.readString(Path.of(target));
                    yield (text.isEmpty() ? "empty: " : "ESCAPED: read ") + text.length() + " chars";
                }
                case "list" -> {
                    try (var files = Files.list(Path.of(target))) {
                        yield "ESCAPED: listed " + files.count() + " entries";
                    }
                }
                case "write" -> {
                    Files.writeString(Path.of(target), "x");
                    yield "ESCAPED: wrote " + target;
                }
                case "env" -> "environment: " + System.getenv().keySet();
                case "exec" -> {
                    Process p = new ProcessBuilder(target).start();
                    yield "ESCAPED: ran " + target + " as " + p.pid();
                }
                default -> "unknown";
            });
        } catch (IOException | RuntimeException e) {
            return ToolResult.error("contained: " + e);
        } catch (InterruptedException e) {
            return ToolResult.error("interrupted");
        }
    }
}
