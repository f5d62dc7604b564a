package clawless.plugins.httptools;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSetExtension;
import dev.clawless.plugin.api.ToolSpec;

/**
 * Declarative HTTP tools. The installation's {@code tools} config lists them; a call fills the URL template's
 * {@code {name}} placeholders from the arguments (URL-encoded), sends the remaining arguments as the query string
 * (GET, HEAD, DELETE) or as a JSON body (POST, PUT, PATCH), and resolves {@code {{secret.NAME}}} in headers from the
 * installation's granted secrets (never in URLs, which end up in logs). Non-GET/HEAD tools are mutating. Answers are
 * given to the model as {@code {"status", "body"}}, the body cut at {@value #MAX_BODY_CHARS} characters; a 4xx/5xx
 * is an error result.
 */
@Extension
public final class HttpTools implements ToolSetExtension {

    static final int MAX_BODY_CHARS = 16_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");
    private static final Pattern SECRET = Pattern.compile("\\{\\{secret\\.([a-z][a-z0-9_]{0,63})}}");
    private static final Set<String> READ_ONLY = Set.of("GET", "HEAD");
    private static final Pattern ORIGIN = Pattern.compile("^https?://[^/?#]+");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");

    /** One configured tool. */
    record Definition(ToolSpec spec, String method, String url, Map<String, String> headers) {
    }

    @Override
    public List<ToolSpec> tools(Map<String, String> config) {
        return definitions(config).stream().map(Definition::spec).toList();
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        Definition tool = definitions(context.config()).stream().filter(d -> d.spec().name().equals(call.name()))
                .findFirst().orElse(null);
        if (tool == null) {
            return ToolResult.error("no tool " + call.name() + " in this installation");
        }
        ObjectNode args;
        try {
            JsonNode parsed = JSON.readTree(call.argumentsJson());
            args = parsed instanceof ObjectNode o ? o : JSON.createObjectNode();
        } catch (JsonProcessingException e) {
            return ToolResult.error("the arguments are not a JSON object");
        }
        Set<String> used = new HashSet<>();
        StringBuilder url = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(tool.url());
        while (m.find()) {
            JsonNode v = args.get(m.group(1));
            if (v == null || v.isNull()) {
                return ToolResult.error("missing argument " + m.group(1));
            }
            used.add(m.group(1));
            String value = v.isTextual() ? v.asText() : v.toString();
            if (value.equals(".") || value.equals("..")) {
                return ToolResult.error("argument " + m.group(1) + " may not be . or ..");
            }
            m.appendReplacement(url, Matcher.quoteReplacement(URLEncoder.encode(v.isTextual() ? v.asText()
                    : v.toString(), StandardCharsets.UTF_8).replace("+", "%20")));
        }
        m.appendTail(url);
        ObjectNode rest = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!used.contains(e.getKey())) {
                rest.set(e.getKey(), e.getValue());
            }
        }
        boolean body = Set.of("POST", "PUT", "PATCH").contains(tool.method());
        if (!body && !rest.isEmpty()) {
            StringBuilder query = new StringBuilder();
            rest.fields().forEachRemaining(e -> query.append(query.isEmpty() ? "" : "&")
                    .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue().isTextual() ? e.getValue().asText()
                            : e.getValue().toString(), StandardCharsets.UTF_8)));
            url.append(url.indexOf("?") >= 0 ? "&" : "?").append(query);
        }
        HttpRequest.Builder request;
        try {
            URI target = URI.create(url.toString());
            // arguments fill paths and queries only: the configured scheme, host and port stay what they were
            if (!(target.getScheme() + "://" + target.getRawAuthority()).equals(origin(tool.url()))) {
                return ToolResult.error("the arguments may not change the URL's host");
            }
            request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(20));
        } catch (IllegalArgumentException e) {
            return ToolResult.error("the URL is not valid after filling in the arguments");
        }
        request.header("Accept", "application/json");
        for (Map.Entry<String, String> h : tool.headers().entrySet()) {
            StringBuilder value = new StringBuilder();
            Matcher s = SECRET.matcher(h.getValue());
            while (s.find()) {
                String secret = context.secret(s.group(1)).orElse(null);
                if (secret == null) {
                    return ToolResult.error("the header " + h.getKey() + " needs the secret " + s.group(1)
                            + ", which this installation was not granted");
                }
                s.appendReplacement(value, Matcher.quoteReplacement(secret));
            }
            s.appendTail(value);
            request.header(h.getKey(), value.toString());
        }
        if (body) {
            request.header("Content-Type", "application/json");
            request.method(tool.method(), HttpRequest.BodyPublishers.ofString(rest.toString()));
        } else {
            request.method(tool.method(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        try {
            response = context.http(request.build());
        } catch (IOException e) {
            return ToolResult.error("the request failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ToolResult.error("interrupted");
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (text.length() > MAX_BODY_CHARS) {
            text = text.substring(0, MAX_BODY_CHARS) + "…(cut)";
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("status", response.statusCode());
        try {
            out.set("body", text.isBlank() ? JSON.nullNode() : JSON.readTree(text));
        } catch (JsonProcessingException e) {
            out.put("body", text);
        }
        context.logger().log(System.Logger.Level.INFO, "{0} {1} -> {2}", tool.method(), tool.spec().name(),
                response.statusCode());
        return response.statusCode() >= 400 ? ToolResult.error(out.toString()) : ToolResult.ok(out.toString());
    }

    /** {@code scheme://authority} of a URL template, which must not hold placeholders. */
    static String origin(String template) {
        Matcher m = ORIGIN.matcher(template);
        if (!m.find() || PLACEHOLDER.matcher(m.group()).find()) {
            throw new IllegalArgumentException("the URL " + template + " must start with a fixed http(s)://host");
        }
        return m.group();
    }

    /** The tools the config describes; the hub checked the config against the descriptor's schema. */
    static List<Definition> definitions(Map<String, String> config) {
        String raw = config.get("tools");
        if (raw == null) {
            throw new IllegalArgumentException("config.tools is required");
        }
        JsonNode list;
        try {
            list = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config.tools is not JSON");
        }
        List<Definition> out = new ArrayList<>();
        for (JsonNode t : list) {
            String method = t.path("method").asText("GET").toUpperCase(Locale.ROOT);
            JsonNode parameters = t.path("parameters").isObject() ? t.get("parameters")
                    : JSON.createObjectNode().put("type", "object");
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            t.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            headers.forEach((name, value) -> {
                if (!HEADER_NAME.matcher(name).matches() || value.chars().anyMatch(c -> c < 0x20 && c != '\t')
                        || value.length() > 4000) {
                    throw new IllegalArgumentException("tool " + t.path("name").asText() + ": the header " + name
                            + " is not a valid HTTP header");
                }
            });
            String url = t.path("url").asText();
            origin(url);
            if (SECRET.matcher(url).find()) {
                throw new IllegalArgumentException("tool " + t.path("name").asText() + ": secrets belong in headers,"
                        + " not in the URL");
            }
            out.add(new Definition(new ToolSpec(t.path("name").asText(), t.path("description").asText(),
                    parameters.toString(), !READ_ONLY.contains(method)), method, url, headers));
        }
        return out;
    }
}
