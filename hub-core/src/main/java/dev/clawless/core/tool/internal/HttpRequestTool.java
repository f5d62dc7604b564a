package dev.clawless.core.tool.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * {@code http_request}: calls one of the configured endpoints. GET and HEAD only read; any other method changes
 * something elsewhere, so such calls are mutating and wait for an operator's approval under the default policy.
 * URLs outside the configured prefixes, and hosts that resolve to internal addresses, are refused before any
 * request is sent.
 */
public final class HttpRequestTool implements ToolExtension {

    public static final String NAME = "http_request";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_RESPONSE = 20_000;
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");

    private final List<String> allowedPrefixes;

    public HttpRequestTool(List<String> allowedPrefixes) {
        this.allowedPrefixes = List.copyOf(allowedPrefixes);
    }

    /** True when the call's method changes something (anything but GET and HEAD). */
    public static boolean isMutating(ToolCall call) {
        try {
            String method = JSON.readTree(call.argumentsJson()).path("method").asText("GET").toUpperCase(Locale.ROOT);
            return !(method.equals("GET") || method.equals("HEAD"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return true;
        }
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec(NAME, "Call one of the company's HTTP APIs. URLs must start with one of: "
                + String.join(", ", allowedPrefixes) + ". Methods other than GET and HEAD need a human's approval.", """
                {"type":"object","properties":{
                 "method":{"type":"string","enum":["GET","HEAD","POST","PUT","PATCH","DELETE"]},
                 "url":{"type":"string","description":"the full URL"},
                 "body":{"type":"string","description":"JSON request body, for POST, PUT and PATCH"}},
                 "required":["method","url"]}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        JsonNode args;
        try {
            args = JSON.readTree(call.argumentsJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ToolResult.error("arguments are not JSON");
        }
        String method = args.path("method").asText("GET").toUpperCase(Locale.ROOT);
        String url = args.path("url").asText("");
        if (!METHODS.contains(method)) {
            return ToolResult.error("method must be one of " + METHODS);
        }
        URI uri;
        try {
            uri = URI.create(url).normalize();
        } catch (IllegalArgumentException e) {
            return ToolResult.error("not a URL: " + url);
        }
        String normal = uri.toString();
        if (allowedPrefixes.stream().noneMatch(normal::startsWith) || normal.contains("/../")) {
            return ToolResult.error("the URL is not one of the configured endpoints");
        }
        Optional<String> body = args.hasNonNull("body") ? Optional.of(args.get("body").asText()) : Optional.empty();
        HttpRequest.BodyPublisher publisher = body.map(b -> HttpRequest.BodyPublishers.ofString(b))
                .orElse(HttpRequest.BodyPublishers.noBody());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .method(method, publisher);
        if (body.isPresent()) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<byte[]> response = context.http(request.build());
            String text = new String(response.body(), StandardCharsets.UTF_8);
            if (text.length() > MAX_RESPONSE) {
                text = text.substring(0, MAX_RESPONSE) + "…(truncated)";
            }
            String result = JSON.createObjectNode().put("status", response.statusCode()).put("body", text).toString();
            return response.statusCode() >= 400 ? ToolResult.error(result) : ToolResult.ok(result);
        } catch (SecurityException e) {
            return ToolResult.error("refused: " + e.getMessage());
        } catch (IOException e) {
            return ToolResult.error("request failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ToolResult.error("interrupted");
        }
    }
}
