package dev.clawless.core.marketplace.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.core.TestTurnContext;
import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A sandboxed plugin's round trip on its own: start, describe, call with a secret fetched back from the hub. */
class SandboxedPluginTest {

    /** A tool for the sandbox: reports a secret's length and the tenant. */
    public static class SecretTool implements dev.clawless.plugin.api.ToolExtension {
        @Override
        public ToolSpec spec() {
            return new ToolSpec("secret_length", "Says how long the token is.", "{\"type\":\"object\"}", false);
        }

        @Override
        public ToolResult invoke(ToolCall call, ToolContext context) {
            return ToolResult.ok(context.tenantId() + ":" + context.secret("token").map(String::length).orElse(-1));
        }
    }

    static byte[] pack(String id, Class<?>... extensions) throws IOException {
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(new Attributes.Name("Plugin-Id"), id);
        a.put(new Attributes.Name("Plugin-Version"), "1.0.0");
        a.put(new Attributes.Name("Plugin-Requires"), ">=1.0.0 & <2.0.0");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            StringBuilder index = new StringBuilder();
            for (Class<?> c : extensions) {
                index.append(c.getName()).append('\n');
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
            }
            out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
            out.write(index.toString().getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    static PluginVersion version(String id, String sha, Class<?>... extensions) {
        return new PluginVersion(id, "1.0.0", sha, 1, "approved", ">=1.0.0", Optional.empty(),
                new ObjectMapper().createObjectNode(), java.util.Arrays.stream(extensions).map(Class::getName)
                .toList(), Optional.empty(), Optional.empty(), Instant.now(), Optional.empty());
    }

    static SandboxSettings settings(Path dir) {
        return new SandboxSettings(SandboxSettings.Isolation.ALL, Path.of("/usr/bin/bwrap"), 64, 1, 96, 16L << 20,
                Duration.ofSeconds(10), dir.resolve("run"));
    }

    @org.junit.jupiter.api.BeforeAll
    static void bubblewrap() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/bwrap"));
        if (!present && "1".equals(System.getenv("CLAWLESS_REQUIRE_SANDBOX"))) {
            throw new IllegalStateException("CLAWLESS_REQUIRE_SANDBOX=1 but bubblewrap is missing");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "bubblewrap is not installed");
    }

    @Test
    void aToolAnswersFromItsSandboxWithASecretFetchedFromTheHub(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("p.jar");
        Files.write(jar, pack("secretive", SecretTool.class));
        try (SandboxedPlugin plugin = SandboxedPlugin.start(settings(dir), version("secretive", "abc",
                SecretTool.class), jar, "ins_1", List.of(), NetworkGuard.system(false), Duration.ofSeconds(30))) {
            assertEquals(1, plugin.tools().size());
            assertEquals("secret_length", plugin.tools().get(0).spec().name());
            ToolResult r = plugin.tools().get(0).invoke(new ToolCall("c1", "secret_length", "{}"),
                    new TestTurnContext("ten_1", Optional.empty(), Map.of("token", "12345")));
            assertFalse(r.error(), r.content());
            assertEquals("ten_1:5", r.content());
        }
        // closed: its process and its control group are gone
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/pids/clawless-sandbox/ins_1")));
    }
}
