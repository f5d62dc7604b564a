package dev.clawless.core.marketplace.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSetExtension;
import dev.clawless.plugin.api.ToolSpec;

/**
 * One installation's sandboxed plugin, as the hub sees it: the same {@link ToolExtension}, {@link ToolSetExtension}
 * and {@link ChannelExtension} objects an in-process plugin gives, each call carried to the child JVM. The child is
 * started on first use, and again after it crashed, ran out of memory or overran a call (which stops it): at once
 * the first time, then after 1, 2, 4 … up to 60 s while it keeps failing, each waiting call failing with the
 * reason meanwhile. Thread-safe.
 */
public final class SandboxedPlugin implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SandboxedPlugin.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final SandboxSettings settings;
    private final PluginVersion version;
    private final Path jar;
    private final String name;
    private final NetworkGuard guard;
    private final Duration loadTimeout;
    private final Set<String> baseHosts = ConcurrentHashMap.newKeySet();
    private final Set<String> hosts = ConcurrentHashMap.newKeySet();
    private final Map<String, ToolContext> contexts = new ConcurrentHashMap<>();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final List<ToolExtension> tools = new ArrayList<>();
    private final List<ToolSetExtension> toolSets = new ArrayList<>();
    private final List<ChannelExtension> channels = new ArrayList<>();
    private SandboxProcess current;
    private String lastFailure = "";
    private Instant notBefore = Instant.EPOCH;
    private Duration backoff = Duration.ofSeconds(1);
    private boolean closed;

    private SandboxedPlugin(SandboxSettings settings, PluginVersion version, Path jar, String name,
                            Collection<String> hosts, NetworkGuard guard, Duration loadTimeout) {
        this.settings = settings;
        this.version = version;
        this.jar = jar;
        this.name = name;
        this.guard = guard;
        this.loadTimeout = loadTimeout;
        hosts.forEach(h -> this.baseHosts.add(h.toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * Starts the sandbox for one installation and loads the plugin in it.
     *
     * @param hosts the hosts its network may reach: those the plugin declared and the installation's API base
     * @throws IOException with the reason when the sandbox cannot start or the plugin cannot load in it
     */
    public static SandboxedPlugin start(SandboxSettings settings, PluginVersion version, Path jar,
                                        String installationId, Collection<String> hosts, NetworkGuard guard,
                                        Duration loadTimeout) throws IOException {
        String name = installationId.replaceAll("[^A-Za-z0-9_-]", "_");
        SandboxedPlugin plugin = new SandboxedPlugin(settings, version, jar, name, hosts, guard, loadTimeout);
        JsonNode description;
        synchronized (plugin) {
            try {
                description = plugin.startChild();
            } catch (RuntimeException e) {
                plugin.close();
                throw new IOException(e.getMessage(), e);
            }
        }
        try {
            plugin.describe(description);
        } catch (IOException | RuntimeException e) {
            plugin.close(); // a plugin that describes itself badly leaves no process behind
            throw new IOException("the plugin's description cannot be read: " + e.getMessage(), e);
        }
        return plugin;
    }

    private void describe(JsonNode d) throws IOException {
        int i = 0;
        for (JsonNode spec : d.path("tools")) {
            tools.add(new RemoteTool(i++, Wire.JSON.treeToValue(spec, ToolSpec.class)));
        }
        for (int s = 0; s < d.path("toolSets").asInt(); s++) {
            toolSets.add(new RemoteToolSet(s));
        }
        i = 0;
        for (JsonNode c : d.path("channels")) {
            channels.add(new RemoteChannel(this, i++, c.path("type").asText(),
                    Wire.JSON.treeToValue(c.get("configSchema"), ConfigSchema.class),
                    c.path("maxTextLength").asInt(4096),
                    c.has("replyWindowMillis") ? java.util.Optional.of(Duration.ofMillis(c.path("replyWindowMillis")
                            .asLong())) : java.util.Optional.empty()));
        }
    }

    public List<ToolExtension> tools() {
        return List.copyOf(tools);
    }

    public List<ToolSetExtension> toolSets() {
        return List.copyOf(toolSets);
    }

    public List<ChannelExtension> channels() {
        return List.copyOf(channels);
    }

    /** How often the child was started again after the first time. */
    public long restarts() {
        return restarts.get();
    }

    /** How many requests its egress refused. */
    public long refusals() {
        return refusals.get();
    }

    /** The running child's process id, if one runs now (for diagnostics and tests). */
    public synchronized java.util.OptionalLong pid() {
        return current != null && current.alive() ? java.util.OptionalLong.of(current.pid())
                : java.util.OptionalLong.empty();
    }

    /** The hosts its network may reach from now on (the installation was changed), besides its connections'. */
    public void hosts(Collection<String> declared) {
        baseHosts.clear();
        declared.forEach(h -> baseHosts.add(h.toLowerCase(java.util.Locale.ROOT)));
    }

    /** Lets the sandbox's network reach {@code host} too (a channel connection's configured API base). */
    void allowHost(String host) {
        if (host != null && !host.isBlank()) {
            hosts.add(host.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private Set<String> reachable() {
        Set<String> all = new java.util.HashSet<>(baseHosts);
        all.addAll(hosts);
        return all;
    }

    private JsonNode startChild() {
        SandboxProcess p;
        try {
            p = SandboxProcess.start(settings, name, jar, this::reachable, guard, this::callback,
                    reason -> refusals.incrementAndGet());
        } catch (IOException e) {
            throw new SandboxFailure(e.getMessage());
        }
        ObjectNode load = Wire.JSON.createObjectNode().put("pluginId", version.pluginId())
                .put("version", version.version()).put("sha256", version.sha256())
                .put("loadTimeoutMillis", loadTimeout.toMillis());
        load.set("extensions", Wire.JSON.valueToTree(version.extensions()));
        try {
            JsonNode d = p.call("load", load, null, loadTimeout.plusSeconds(30));
            current = p;
            return d;
        } catch (Peer.Timeout e) {
            p.close();
            throw new SandboxFailure("the plugin did not load in its sandbox within "
                    + loadTimeout.plusSeconds(30).toSeconds() + " s");
        } catch (InterruptedException e) {
            p.close();
            Thread.currentThread().interrupt();
            throw new SandboxFailure("interrupted while starting the sandbox");
        } catch (RuntimeException e) {
            String why = e instanceof SandboxFailure ? e.getMessage() : "the plugin failed to load in its sandbox: "
                    + e.getMessage();
            p.close();
            throw new SandboxFailure(why);
        }
    }

    /** The running child, started again if it stopped and its backoff has passed. */
    private synchronized SandboxProcess live() {
        if (closed) {
            throw new SandboxFailure("the plugin's sandbox is closed");
        }
        if (current != null && current.alive()) {
            return current;
        }
        Instant now = Instant.now();
        if (current != null) {
            lastFailure = current.endedFor();
            boolean wasStable = Duration.between(current.startedAt(), now).compareTo(Duration.ofMinutes(5)) > 0;
            current.close();
            current = null;
            if (wasStable) {
                backoff = Duration.ofSeconds(1);
                notBefore = now;
            }
            LOG.log(System.Logger.Level.WARNING, "sandbox {0} ({1} {2}) stopped: {3}", name, version.pluginId(),
                    version.version(), lastFailure);
        }
        if (now.isBefore(notBefore)) {
            throw new SandboxFailure(lastFailure + "; the sandbox starts again in "
                    + Math.max(1, Duration.between(now, notBefore).toSeconds()) + " s");
        }
        try {
            restarts.incrementAndGet();
            startChild();
            notBefore = Instant.now().plus(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            return current;
        } catch (SandboxFailure e) {
            lastFailure = e.getMessage();
            notBefore = Instant.now().plus(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            throw e;
        }
    }

    /**
     * Calls the child; a call it does not answer within the time allowed stops it (the next call starts it again).
     *
     * @param context the tool call's context, which the child's callbacks are answered from, or null
     */
    JsonNode call(String method, ObjectNode body, ToolContext context, Duration extra) {
        SandboxProcess p = live();
        String ctx = null;
        if (context != null) {
            ctx = UUID.randomUUID().toString();
            contexts.put(ctx, context);
        }
        Duration timeout = settings.callTimeout().plus(extra);
        try {
            return p.call(method, body, ctx, timeout);
        } catch (Peer.Timeout e) {
            p.kill("the plugin did not answer " + method + " within " + timeout.toSeconds()
                    + " s; its sandbox was stopped");
            throw new SandboxFailure(p.endedFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailure("interrupted");
        } finally {
            if (ctx != null) {
                contexts.remove(ctx);
            }
        }
    }

    /** Answers the child's calls back: a tool call's secrets and HTTP, from that call's own context only. */
    private JsonNode callback(String method, JsonNode body, String ctx) throws Exception {
        ToolContext context = ctx == null ? null : contexts.get(ctx);
        if (context == null) {
            throw new SecurityException("no tool call of this sandbox is running as " + ctx);
        }
        return switch (method) {
            case "ctx.secret" -> context.secret(body.path("name").asText())
                    .<JsonNode>map(com.fasterxml.jackson.databind.node.TextNode::valueOf).orElse(null);
            case "ctx.http" -> http(context, body);
            default -> throw new UnsupportedOperationException("unknown callback " + method);
        };
    }

    private static JsonNode http(ToolContext context, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(body.path("uri").asText()));
        byte[] content = body.hasNonNull("body") ? body.get("body").binaryValue() : new byte[0];
        b.method(body.path("method").asText("GET"), content.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(content));
        body.path("headers").fields().forEachRemaining(h -> h.getValue().forEach(v -> {
            try {
                b.header(h.getKey(), v.asText());
            } catch (IllegalArgumentException ignored) {
                // a header the client sets itself (Host, Content-Length …)
            }
        }));
        if (body.has("timeoutMillis")) {
            b.timeout(Duration.ofMillis(Math.max(1, body.path("timeoutMillis").asLong())));
        }
        HttpResponse<byte[]> r = context.http(b.build());
        ObjectNode out = Wire.JSON.createObjectNode().put("status", r.statusCode());
        out.set("headers", Wire.JSON.valueToTree(r.headers().map()));
        out.put("body", r.body());
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private ObjectNode body(int ext) {
        return Wire.JSON.createObjectNode().put("ext", ext);
    }

    private static ObjectNode context(ToolContext c) {
        ObjectNode n = Wire.JSON.createObjectNode().put("tenantId", c.tenantId());
        c.conversationId().ifPresent(id -> n.put("conversationId", id));
        n.set("config", Wire.JSON.valueToTree(c.config()));
        return n;
    }

    private ToolResult invoke(String method, int ext, ToolCall call, ToolContext context) {
        ObjectNode body = body(ext);
        body.set("call", Wire.JSON.valueToTree(call));
        ObjectNode ctx = context(context);
        ctx.put("installationId", name);
        body.set("context", ctx);
        try {
            return Wire.JSON.treeToValue(call(method, body, context, Duration.ZERO), ToolResult.class);
        } catch (SandboxFailure e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ToolResult.error("the plugin's answer cannot be read: " + e.getMessage());
        }
    }

    private final class RemoteTool implements ToolExtension {
        private final int ext;
        private final ToolSpec spec;

        RemoteTool(int ext, ToolSpec spec) {
            this.ext = ext;
            this.spec = spec;
        }

        @Override
        public ToolSpec spec() {
            return spec;
        }

        @Override
        public ToolResult invoke(ToolCall call, ToolContext context) {
            return SandboxedPlugin.this.invoke("tool.invoke", ext, call, context);
        }
    }

    private final class RemoteToolSet implements ToolSetExtension {
        private final int ext;

        RemoteToolSet(int ext) {
            this.ext = ext;
        }

        @Override
        public List<ToolSpec> tools(Map<String, String> config) {
            ObjectNode body = body(ext);
            body.set("config", Wire.JSON.valueToTree(config));
            try {
                return List.of(Wire.JSON.treeToValue(call("toolset.tools", body, null, Duration.ZERO),
                        ToolSpec[].class));
            } catch (IOException e) {
                throw new IllegalArgumentException("the plugin's tools cannot be read: " + e.getMessage());
            }
        }

        @Override
        public ToolResult invoke(ToolCall call, ToolContext context) {
            return SandboxedPlugin.this.invoke("toolset.invoke", ext, call, context);
        }
    }
}
