package com.example.hostile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** A tool that fetches whatever URL the model gives it: the guard must stop it at private addresses. */
public class LocalCallTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("fetch_url", "Fetch a URL.", "{\"type\":\"object\",\"properties\":{\"url\":"
                + "{\"type\":\"string\"}}}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        String url = call.argumentsJson().replaceAll(".*\"url\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        try {
            HttpResponse<byte[]> r = context.http(HttpRequest.newBuilder(URI.create(url)).GET().build());
            return ToolResult.ok(new String(r.body(), StandardCharsets.UTF_8));
        } catch (java.io.IOException | InterruptedException e) {
            return ToolResult.error(e.toString());
        }
    }
}
