package dev.clawless.plugin.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.marketplace.PluginVersion;
import dev.clawless.core.marketplace.sandbox.SandboxSettings;
import dev.clawless.core.marketplace.sandbox.SandboxedPlugin;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolSetExtension;

/**
 * Runs a plugin the way a hub runs a third-party one under {@code clawless.marketplace.isolation}: in its own JVM
 * under bubblewrap, every call carried over the sandbox's pipe, its network only through the hub's egress to the
 * hosts given here (private addresses allowed, for local fakes). The extensions it gives are used like the plugin's
 * own, e.g. in a {@link ChannelHarness} or with a {@link TestToolContext}.
 *
 * <p>Needs Debian's {@code bubblewrap} and {@code hub-core} on the test class path (an optional dependency of the
 * test kit: add {@code dev.clawless:hub-core} with test scope).
 */
public final class SandboxRunner implements AutoCloseable {

    private final SandboxedPlugin plugin;
    private final Path folder;

    private SandboxRunner(SandboxedPlugin plugin, Path folder) {
        this.plugin = plugin;
        this.folder = folder;
    }

    /**
     * Whether bubblewrap is here; under {@code CLAWLESS_REQUIRE_SANDBOX=1} its absence is an error instead. Use it
     * in an assumption so the test is skipped where sandboxes cannot run.
     */
    public static boolean available() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/bwrap"));
        if (!present && "1".equals(System.getenv("CLAWLESS_REQUIRE_SANDBOX"))) {
            throw new IllegalStateException("CLAWLESS_REQUIRE_SANDBOX=1 but /usr/bin/bwrap is missing"
                    + " (apt-get install bubblewrap)");
        }
        return present;
    }

    /** Runs a built plugin JAR. */
    public static SandboxRunner ofJar(Path jar, String... hosts) throws IOException {
        Path folder = Files.createTempDirectory("clawless-sandbox-test-");
        Path copy = folder.resolve("plugin.jar");
        Files.copy(jar, copy);
        return start(copy, folder, hosts);
    }

    /**
     * Runs a plugin from its compiled classes (as its own tests see them, before the JAR is built), with the JARs
     * of the given classes as its {@code lib/} libraries.
     *
     * @param pluginId  the plugin's id
     * @param classes   its compiled classes, with {@code META-INF/extensions.idx} ({@code target/classes})
     * @param libraries classes from the libraries it bundles, e.g. {@code ObjectMapper.class}
     */
    public static SandboxRunner ofClasses(String pluginId, Path classes, List<Class<?>> libraries, String... hosts)
            throws IOException {
        Path folder = Files.createTempDirectory("clawless-sandbox-test-");
        Path jar = folder.resolve("plugin.jar");
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(new Attributes.Name("Plugin-Id"), pluginId);
        a.put(new Attributes.Name("Plugin-Version"), "0.0.1");
        a.put(new Attributes.Name("Plugin-Requires"), ">=1.0.0 & <2.0.0");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> all = Files.walk(classes)) {
            for (Path p : all.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                String name = classes.relativize(p).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF") || name.startsWith("lib/")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(p, out);
            }
            int n = 0;
            for (Class<?> c : libraries) {
                out.putNextEntry(new JarEntry("lib/" + (n++) + "-" + c.getSimpleName() + ".jar"));
                Files.copy(codeSource(c), out);
            }
        }
        return start(jar, folder, hosts);
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static SandboxRunner start(Path jar, Path folder, String... hosts) throws IOException {
        String id;
        String version;
        List<String> extensions = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            id = f.getManifest().getMainAttributes().getValue("Plugin-Id");
            version = f.getManifest().getMainAttributes().getValue("Plugin-Version");
            JarEntry index = f.getJarEntry("META-INF/extensions.idx");
            if (id == null || version == null || index == null) {
                throw new IOException(jar + " has no Plugin-Id, Plugin-Version or META-INF/extensions.idx");
            }
            try (InputStream in = f.getInputStream(index)) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        extensions.add(line.trim());
                    }
                }
            }
        }
        PluginVersion v = new PluginVersion(id, version, "test", Files.size(jar), "approved", ">=1.0.0",
                Optional.empty(), new ObjectMapper().createObjectNode(), extensions, Optional.empty(),
                Optional.empty(), Instant.now(), Optional.empty());
        SandboxSettings settings = new SandboxSettings(SandboxSettings.Isolation.ALL, Path.of("/usr/bin/bwrap"), 128,
                1, 256, 64L << 20, Duration.ofSeconds(30), folder.resolve("run"));
        SandboxedPlugin plugin = SandboxedPlugin.start(settings, v, jar, "test", List.of(hosts),
                NetworkGuard.system(true), Duration.ofSeconds(30));
        return new SandboxRunner(plugin, folder);
    }

    public List<ToolExtension> tools() {
        return plugin.tools();
    }

    public List<ToolSetExtension> toolSets() {
        return plugin.toolSets();
    }

    public List<ChannelExtension> channels() {
        return plugin.channels();
    }

    /** The plugin's channel of {@code type}. */
    public ChannelExtension channel(String type) {
        return plugin.channels().stream().filter(c -> c.type().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the plugin has no channel " + type));
    }

    /** The child's process id while it runs. */
    public long pid() {
        return plugin.pid().orElseThrow();
    }

    @Override
    public void close() {
        plugin.close();
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
