package dev.clawless.server.marketplace;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plugin JARs for server tests: the reactor-built ones, re-versioned copies, and small ones packed from classes. */
public final class PluginKit {

    private PluginKit() {
    }

    /** The JAR the reactor built for {@code plugins/<module>}. */
    public static byte[] built(String module) {
        Path jar = Path.of("..", "plugins", module, "target", module + "-0.1.0-SNAPSHOT.jar");
        try {
            return Files.readAllBytes(jar);
        } catch (IOException e) {
            throw new UncheckedIOException("build the plugins first (mvn install from the root): " + jar, e);
        }
    }

    /** The same JAR with another {@code Plugin-Version} (and so other bytes). */
    static byte[] withVersion(byte[] jar, String version) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Plugin-Version"), version);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                JarEntry e;
                while ((e = in.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plugin JAR from compiled test classes, with its manifest, extension index and descriptor. */
    static byte[] pack(String id, String version, String pluginClass, String descriptor, Class<?>... extensions) {
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(new Attributes.Name("Plugin-Id"), id);
        a.put(new Attributes.Name("Plugin-Version"), version);
        a.put(new Attributes.Name("Plugin-Requires"), ">=1.0.0 & <2.0.0");
        if (pluginClass != null) {
            a.put(new Attributes.Name("Plugin-Class"), pluginClass);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder();
        for (Class<?> c : extensions) {
            index.append(c.getName()).append('\n');
            entries.put(c.getName().replace('.', '/') + ".class", classBytes(c.getName()));
        }
        if (pluginClass != null) {
            entries.put(pluginClass.replace('.', '/') + ".class", classBytes(pluginClass));
        }
        entries.put("META-INF/extensions.idx", index.toString().getBytes(StandardCharsets.UTF_8));
        entries.put("clawless-plugin.json", descriptor.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] classBytes(String name) {
        try (InputStream in = PluginKit.class.getClassLoader().getResourceAsStream(name.replace('.', '/')
                + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uploads a JAR as the tenant behind {@code key} and approves it as the platform admin. */
    public static void publish(TestHub hub, String key, byte[] jar) {
        HttpResponse<String> up = hub.send(hub.request("/v1/marketplace/plugins")
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
        assertEquals(201, up.statusCode(), up.body());
        var body = TestHub.json(up);
        HttpResponse<String> ok = hub.admin("POST", "/admin/marketplace/plugins/" + body.get("plugin_id").asText()
                + "/versions/" + body.get("version").asText() + "/approve", "{\"reason\":\"reviewed\"}");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    // ------------------------------------------------------------------------------------------ as a tenant

    /** A key for a new tenant with {@code scopes}, its assistant on the (fake) OpenAI provider when asked. */
    static String tenantKey(TestHub hub, String name, String scopes, boolean openAi) {
        String key = hub.key(hub.tenant(name), scopes);
        if (openAi) {
            assertEquals(200, hub.call("PATCH", "/v1/tenant", key,
                    "{\"settings\":{\"assistant\":{\"provider\":\"openai\"}}}").statusCode());
        }
        return key;
    }

    /** Installs a plugin version; asserts 201. */
    public static com.fasterxml.jackson.databind.JsonNode install(TestHub hub, String key, String plugin,
                                                                 String version, String config, String secrets) {
        HttpResponse<String> r = hub.call("POST", "/v1/plugins/installations", key, "{\"plugin_id\":\"" + plugin
                + "\",\"version\":\"" + version + "\",\"config\":" + config + ",\"secrets\":" + secrets + "}");
        assertEquals(201, r.statusCode(), r.body());
        return TestHub.json(r);
    }

    /** Asks the tenant's assistant {@code text} in a new session. */
    public static HttpResponse<String> ask(TestHub hub, String key, String text) {
        String session = TestHub.json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        return hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    }

    /** Calls one of the tenant's tools as a turn would, without a conversation (the installation's own context). */
    public static dev.clawless.plugin.api.ToolResult invoke(TestHub hub, String tenantId, String tool, String args) {
        dev.clawless.plugin.api.ToolExtension t = hub.hub().installations().tools(tenantId).stream()
                .filter(x -> x.spec().name().equals(tool)).findFirst()
                .orElseThrow(() -> new AssertionError(tool + " is not installed for " + tenantId));
        return t.invoke(new dev.clawless.plugin.api.ToolCall("call_1", tool, args), new Turn(tenantId));
    }

    /** A turn's context as a tool of an installation sees it before the installation's own: only the tenant. */
    private record Turn(String tenantId) implements dev.clawless.plugin.api.ToolContext {
        @Override
        public java.util.Optional<String> conversationId() {
            return java.util.Optional.empty();
        }

        @Override
        public Map<String, String> config() {
            return Map.of();
        }

        @Override
        public java.util.Optional<String> secret(String name) {
            return java.util.Optional.empty();
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("test");
        }

        @Override
        public HttpResponse<byte[]> http(HttpRequest request) {
            throw new SecurityException("the installation's own context is used");
        }
    }

    // ------------------------------------------------------------------------------------------ a fake model

    public static String toolCallStream(String tool, String argumentsJson) {
        return toolCallStream("call_1", tool, argumentsJson);
    }

    static String toolCallStream(String id, String tool, String argumentsJson) {
        String args = argumentsJson.replace("\\", "\\\\").replace("\"", "\\\"");
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"" + tool + "\",\"arguments\":\""
                + args + "\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
    }

    static String textStream(String text) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    }

    /**
     * The model calls each of {@code calls} ({tool, arguments JSON}) in turn, one per request (whatever it was
     * given), then answers {@code answer}.
     */
    public static void modelScript(WireMockServer fake, java.util.List<String[]> calls, String answer) {
        for (int i = 0; i < calls.size(); i++) {
            fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("script")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "step" + i).willSetStateTo("step" + (i + 1))
                    .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                            .withBody(toolCallStream("call_" + (i + 1), calls.get(i)[0], calls.get(i)[1]))));
        }
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("script")
                .whenScenarioStateIs(calls.isEmpty() ? Scenario.STARTED : "step" + calls.size())
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(textStream(answer))));
    }

    /** The model first calls {@code tool}, then (given its result) answers {@code answer}. */
    public static void modelCallsThenAnswers(WireMockServer fake, String tool, String argumentsJson, String answer) {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("called")
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(toolCallStream(tool, argumentsJson))));
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("turn").whenScenarioStateIs("called")
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(textStream(answer))));
    }
}
