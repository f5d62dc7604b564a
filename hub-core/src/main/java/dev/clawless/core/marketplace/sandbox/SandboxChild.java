package dev.clawless.core.marketplace.sandbox;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.sandbox.EgressForwarder;
import dev.clawless.core.marketplace.PluginRuntime;
import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Poll;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSetExtension;

/**
 * The child JVM's entry point: loads one plugin version with the same pf4j loader the hub uses in process, then
 * answers the hub's calls on its standard input and output (plugin code printing to standard output lands on
 * standard error, which the hub logs). Every HTTP(S) request the plugin makes goes through the hub's egress proxy;
 * tool calls' {@code ToolContext.http} goes back to the hub's guarded client itself.
 *
 * <p>Arguments: the hub's egress socket, the plugin JAR.
 */
public final class SandboxChild {

    private static final ObjectMapper JSON = Wire.JSON;

    private final Path jar;
    private PluginRuntime.Loaded loaded;
    private Peer hub;

    private SandboxChild(Path jar) {
        this.jar = jar;
    }

    public static void main(String[] args) throws Exception {
        InputStream rpcIn = new FileInputStream(FileDescriptor.in);
        FileOutputStream rpcOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        System.setIn(InputStream.nullInputStream());
        int port = EgressForwarder.start(Path.of(args[0]));
        for (String scheme : List.of("http", "https")) {
            System.setProperty(scheme + ".proxyHost", "127.0.0.1");
            System.setProperty(scheme + ".proxyPort", Integer.toString(port));
        }
        System.setProperty("http.nonProxyHosts", ""); // loopback too goes to the hub, which refuses it
        System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        SandboxChild child = new SandboxChild(Path.of(args[1]));
        child.hub = new Peer("clawless-sandbox-rpc", rpcIn, rpcOut, child::handle, 256);
        child.hub.start(reason -> {
            Runtime.getRuntime().halt(0); // the hub went away: nothing here outlives it
            return reason;
        });
        Thread.currentThread().join();
    }

    private JsonNode handle(String method, JsonNode body, String ctx) throws Exception {
        if (method.equals("load")) {
            return load(body);
        }
        if (loaded == null) {
            throw new IllegalStateException("the plugin is not loaded");
        }
        int ext = body.path("ext").asInt();
        Thread.currentThread().setContextClassLoader(loaded.classLoader());
        return switch (method) {
            case "tool.invoke" -> JSON.valueToTree(result(loaded.tools().get(ext).invoke(call(body), context(body,
                    ctx))));
            case "toolset.tools" -> JSON.valueToTree(loaded.toolSets().get(ext).tools(JSON.convertValue(
                    body.get("config"), new TypeReference<java.util.Map<String, String>>() { })));
            case "toolset.invoke" -> JSON.valueToTree(result(loaded.toolSets().get(ext).invoke(call(body),
                    context(body, ctx))));
            default -> channel(method, loaded.channels().get(ext), body);
        };
    }

    private JsonNode load(JsonNode body) throws Exception {
        Path store = Path.of(System.getProperty("java.io.tmpdir"), "store");
        Files.createDirectories(store);
        String sha = body.path("sha256").asText();
        Files.copy(jar, store.resolve(sha + ".jar"));
        List<String> extensions = JSON.convertValue(body.get("extensions"), new TypeReference<List<String>>() { });
        PluginVersion v = new PluginVersion(body.path("pluginId").asText(), body.path("version").asText(), sha,
                Files.size(jar), "approved", "", Optional.empty(), JSON.createObjectNode(), extensions,
                Optional.empty(), Optional.empty(), Instant.now(), Optional.empty());
        PluginRuntime runtime = new PluginRuntime(store, Duration.ofMillis(body.path("loadTimeoutMillis")
                .asLong(30_000)));
        loaded = runtime.acquire(v);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode tools = out.putArray("tools");
        for (ToolExtension t : loaded.tools()) {
            tools.add(JSON.valueToTree(runtime.call(loaded, t::spec, "describe its tool")));
        }
        out.put("toolSets", loaded.toolSets().size());
        ArrayNode channels = out.putArray("channels");
        for (ChannelExtension c : loaded.channels()) {
            ObjectNode n = channels.addObject();
            n.put("type", runtime.call(loaded, c::type, "name its channel type"));
            n.set("configSchema", JSON.valueToTree(runtime.call(loaded, c::configSchema, "describe its config")));
            n.put("maxTextLength", runtime.call(loaded, c::maxTextLength, "give its text limit"));
            Optional<Duration> window = runtime.call(loaded, c::replyWindow, "give its reply window");
            window.ifPresent(w -> n.put("replyWindowMillis", w.toMillis()));
        }
        return out;
    }

    private static ToolCall call(JsonNode body) {
        return JSON.convertValue(body.get("call"), ToolCall.class);
    }

    private static ToolResult result(ToolResult r) {
        return r == null ? ToolResult.error("the tool returned nothing") : r;
    }

    private RemoteToolContext context(JsonNode body, String ctx) {
        JsonNode c = body.get("context");
        return new RemoteToolContext(hub, ctx, c.path("tenantId").asText(),
                Optional.ofNullable(c.get("conversationId")).filter(JsonNode::isTextual).map(JsonNode::asText),
                JSON.convertValue(c.get("config"), new TypeReference<java.util.Map<String, String>>() { }),
                c.path("installationId").asText());
    }

    private static JsonNode channel(String method, ChannelExtension c, JsonNode body) throws IOException {
        ChannelConnection conn = body.has("connection") ? JSON.treeToValue(body.get("connection"),
                ChannelConnection.class) : null;
        Object result = switch (method) {
            case "channel.verify" -> {
                c.verify(request(body), conn);
                yield null;
            }
            case "channel.replayKey" -> c.replayKey(request(body), conn);
            case "channel.parse" -> c.parse(request(body), conn);
            case "channel.send" -> c.send(JSON.treeToValue(body.get("message"), OutboundMessage.class), conn);
            case "channel.findSent" -> c.findSent(JSON.treeToValue(body.get("message"), OutboundMessage.class), conn,
                    Instant.parse(body.path("startedAt").asText()));
            case "channel.uploadsMedia" -> c.uploadsMedia(conn);
            case "channel.handshake" -> c.handshake(request(body), conn);
            case "channel.acknowledgement" -> c.acknowledgement(request(body));
            case "channel.connect" -> {
                c.connect(conn);
                yield null;
            }
            case "channel.disconnect" -> {
                c.disconnect(conn);
                yield null;
            }
            case "channel.polls" -> c.polls(conn);
            case "channel.poll" -> c.poll(conn, Optional.ofNullable(body.get("cursor")).filter(JsonNode::isTextual)
                    .map(JsonNode::asText), Duration.ofMillis(body.path("maxWaitMillis").asLong()));
            case "channel.acknowledge" -> {
                c.acknowledge(conn, JSON.treeToValue(body.get("poll"), Poll.class));
                yield null;
            }
            case "channel.newThread" -> c.newThread(conn, body.path("address").asText());
            case "channel.download" -> c.download(conn, JSON.treeToValue(body.get("attachment"), Attachment.class),
                    body.path("maxBytes").asLong());
            case "channel.typing" -> {
                c.typing(conn, body.path("threadKey").asText());
                yield null;
            }
            default -> throw new UnsupportedOperationException("unknown call " + method);
        };
        return boxed(result);
    }

    /** A result in a box, so that null, Optional and lists all travel the same way. */
    record Box(Object value) {
    }

    /** Inbound events in a box typed for them, so each carries its kind. */
    record Events(List<InboundEvent> value) {
    }

    /** A result as it travels back to the hub. */
    @SuppressWarnings("unchecked")
    static JsonNode boxed(Object result) {
        if (result instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(InboundEvent.class::isInstance)) {
            return JSON.valueToTree(new Events((List<InboundEvent>) list));
        }
        return JSON.valueToTree(new Box(result));
    }

    private static InboundRequest request(JsonNode body) throws IOException {
        return JSON.treeToValue(body.get("request"), InboundRequest.class);
    }

    /** Reads a request body a plugin built with any publisher (for {@code ToolContext.http}). */
    static byte[] bodyOf(HttpRequest request) {
        return request.bodyPublisher().map(BodyBytes::of).orElse(new byte[0]);
    }
}
