package dev.clawless.core.marketplace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.pf4j.DefaultPluginFactory;
import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

import dev.clawless.core.marketplace.sandbox.SandboxSettings;
import dev.clawless.core.marketplace.sandbox.SandboxedPlugin;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.PluginApi;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolSetExtension;

/**
 * Loads plugin versions with pf4j, each in its own class loader, once per (plugin, version), and shares the loaded
 * version among the installations on it. A version is loaded when its first installation needs it and stopped and
 * unloaded (its class loader closed and dropped) when the last one lets go, so it can be collected. Loading runs on
 * a virtual thread with a time limit: a plugin whose start, class initialisation or extension constructor throws or
 * hangs is reported as a {@link LoadFailure} with the reason, and nothing of it stays loaded. Thread-safe.
 */
public final class PluginRuntime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginRuntime.class.getName());

    private final Path store;
    private final Duration loadTimeout;
    private final SandboxSettings sandbox;
    private final NetworkGuard guard;
    private final Map<String, Loaded> loaded = new HashMap<>();

    /** A runtime that loads every plugin in the hub's JVM. */
    public PluginRuntime(Path store, Duration loadTimeout) {
        this(store, loadTimeout, SandboxSettings.inProcess(store.resolve("sandboxes")), NetworkGuard.system(false));
    }

    /**
     * @param sandbox which versions run in a sandbox, and its limits
     * @param guard   what a sandbox's network may reach
     */
    public PluginRuntime(Path store, Duration loadTimeout, SandboxSettings sandbox, NetworkGuard guard) {
        this.store = store;
        this.loadTimeout = loadTimeout;
        this.sandbox = sandbox;
        this.guard = guard;
    }

    /** Whether this version runs in a sandbox under the hub's isolation policy. */
    public boolean sandboxes(PluginVersion v) {
        return sandbox.isolation().sandboxes(v.signedBy());
    }

    /** Why a plugin version could not be loaded or started. */
    public static final class LoadFailure extends Exception {
        public LoadFailure(String reason) {
            super(reason);
        }
    }

    /** A loaded plugin version: its extensions, instantiated once, and the class loader they came from. */
    public static final class Loaded {
        private final String pluginId;
        private final String version;
        private final JarPluginManager manager;
        private final ClassLoader classLoader;
        private final Path expanded;
        private final List<ToolExtension> tools;
        private final List<ToolSetExtension> toolSets;
        private final List<ChannelExtension> channels;
        private final SandboxedPlugin sandboxed;
        private int references;

        private Loaded(String pluginId, String version, JarPluginManager manager, ClassLoader classLoader,
                       Path expanded, List<ToolExtension> tools, List<ToolSetExtension> toolSets,
                       List<ChannelExtension> channels) {
            this(pluginId, version, manager, classLoader, expanded, tools, toolSets, channels, null);
        }

        private Loaded(String pluginId, String version, JarPluginManager manager, ClassLoader classLoader,
                       Path expanded, List<ToolExtension> tools, List<ToolSetExtension> toolSets,
                       List<ChannelExtension> channels, SandboxedPlugin sandboxed) {
            this.sandboxed = sandboxed;
            this.expanded = expanded;
            this.pluginId = pluginId;
            this.version = version;
            this.manager = manager;
            this.classLoader = classLoader;
            this.tools = List.copyOf(tools);
            this.toolSets = List.copyOf(toolSets);
            this.channels = List.copyOf(channels);
        }

        public String pluginId() {
            return pluginId;
        }

        public String version() {
            return version;
        }

        public ClassLoader classLoader() {
            return classLoader;
        }

        public List<ToolExtension> tools() {
            return tools;
        }

        public List<ToolSetExtension> toolSets() {
            return toolSets;
        }

        public List<ChannelExtension> channels() {
            return channels;
        }

        /** The sandbox this version runs in, for one installation; empty when it runs in the hub's JVM. */
        public Optional<SandboxedPlugin> sandbox() {
            return Optional.ofNullable(sandboxed);
        }
    }

    private static String key(String pluginId, String version) {
        return pluginId + "@" + version;
    }

    /** Takes a reference to a version, loading it first if no installation uses it yet. */
    public synchronized Loaded acquire(PluginVersion v) throws LoadFailure {
        Loaded l = loaded.get(key(v.pluginId(), v.version()));
        if (l == null) {
            l = load(v);
            loaded.put(key(v.pluginId(), v.version()), l);
        }
        l.references++;
        return l;
    }

    /**
     * Starts a sandbox for one installation of a version and loads the version in it; released like any other.
     *
     * @param hosts the hosts the sandbox's network may reach
     */
    public synchronized Loaded acquireSandboxed(PluginVersion v, String installationId, List<String> hosts)
            throws LoadFailure {
        String key = key(v.pluginId(), v.version()) + "#" + installationId;
        Loaded l = loaded.get(key);
        if (l == null) {
            Path jar = store.resolve(v.sha256() + ".jar");
            if (!Files.isRegularFile(jar)) {
                throw new LoadFailure("the JAR of " + v.pluginId() + " " + v.version() + " is missing from the store");
            }
            SandboxedPlugin s;
            try {
                s = SandboxedPlugin.start(sandbox, v, jar, installationId, hosts, guard, loadTimeout);
            } catch (IOException e) {
                throw new LoadFailure(e.getMessage());
            }
            l = new Loaded(v.pluginId(), v.version(), null, PluginRuntime.class.getClassLoader(), null, s.tools(),
                    s.toolSets(), s.channels(), s);
            loaded.put(key, l);
            LOG.log(System.Logger.Level.INFO, "loaded plugin {0} {1} in a sandbox for installation {2}",
                    v.pluginId(), v.version(), installationId);
        } else {
            l.sandboxed.hosts(hosts); // the installation changed: its API base may have
        }
        l.references++;
        return l;
    }

    /** Lets go of a reference; the last one stops and unloads the version. */
    public synchronized void release(Loaded l) {
        if (--l.references > 0) {
            return;
        }
        if (l.sandboxed != null) {
            loaded.values().remove(l);
            l.sandboxed.close();
            LOG.log(System.Logger.Level.INFO, "stopped the sandbox of plugin {0} {1}", l.pluginId, l.version);
            return;
        }
        loaded.remove(key(l.pluginId, l.version));
        unload(l.manager, l.pluginId);
        deleteQuietly(l.expanded);
        LOG.log(System.Logger.Level.INFO, "unloaded plugin {0} {1}", l.pluginId, l.version);
    }

    /**
     * Runs plugin code outside a call (a spec, a tool list, a channel type) on a virtual thread with the plugin's
     * class loader as context class loader, within the load timeout: a plugin that throws or hangs there fails
     * its installation instead of blocking the hub.
     */
    public <T> T call(Loaded l, Callable<T> work, String what) throws LoadFailure {
        return within(l.classLoader, what, work);
    }

    /** The class loader of a loaded version (for diagnostics and tests). */
    public synchronized Optional<ClassLoader> classLoader(String pluginId, String version) {
        return Optional.ofNullable(loaded.get(key(pluginId, version))).map(Loaded::classLoader);
    }

    /** The sandbox of a loaded installation of {@code pluginId}, if one runs sandboxed (for diagnostics and tests). */
    public synchronized Optional<SandboxedPlugin> sandboxFor(String pluginId) {
        return loaded.values().stream().filter(l -> l.pluginId.equals(pluginId) && l.sandboxed != null)
                .map(l -> l.sandboxed).findFirst();
    }

    /** Versions loaded now, as {@code plugin@version} ({@code plugin@version#installation} when sandboxed). */
    public synchronized List<String> loadedVersions() {
        return loaded.keySet().stream().sorted().toList();
    }

    private Loaded load(PluginVersion v) throws LoadFailure {
        Path jar = store.resolve(v.sha256() + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new LoadFailure("the JAR of " + v.pluginId() + " " + v.version() + " is missing from the store");
        }
        Path expanded = store.resolve("expanded").resolve(v.sha256());
        JarPluginManager manager = new JarPluginManager(store) {
            @Override
            protected PluginLoader createPluginLoader() {
                return new JarPluginLoader(this) {
                    @Override
                    public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
                        PluginClassLoader loader = createPluginClassLoader(pluginPath, descriptor);
                        loader.addFile(pluginPath.toFile());
                        for (Path lib : libraries(pluginPath, expanded)) {
                            loader.addFile(lib.toFile());
                        }
                        return loader;
                    }
                };
            }

            @Override
            protected PluginFactory createPluginFactory() {
                return new DefaultPluginFactory() {
                    @Override
                    public Plugin create(PluginWrapper wrapper) {
                        String pluginClass = wrapper.getDescriptor().getPluginClass();
                        if (pluginClass == null || pluginClass.isBlank()) {
                            return new Plugin() { }; // Plugin-Class is optional: extensions are enough
                        }
                        Plugin plugin = super.create(wrapper);
                        if (plugin == null) {
                            throw new IllegalStateException("Plugin-Class " + pluginClass
                                    + " cannot be loaded or is not a public org.pf4j.Plugin");
                        }
                        return plugin;
                    }
                };
            }
        };
        manager.setSystemVersion(PluginApi.VERSION);
        String id;
        try {
            id = manager.loadPlugin(jar);
        } catch (RuntimeException e) {
            throw new LoadFailure("pf4j cannot load the plugin: " + reason(e));
        }
        if (id == null) {
            throw new LoadFailure("pf4j cannot load the plugin (see the hub log)");
        }
        PluginWrapper wrapper = manager.getPlugin(id);
        ClassLoader loader = wrapper.getPluginClassLoader();
        try {
            return within(loader, "start", () -> {
                PluginState state = manager.startPlugin(id);
                if (state != PluginState.STARTED) {
                    Throwable failed = wrapper.getFailedException();
                    throw new LoadFailure("the plugin failed to start: " + (failed == null ? "state " + state
                            : reason(failed)));
                }
                List<ToolExtension> tools = new ArrayList<>();
                List<ToolSetExtension> toolSets = new ArrayList<>();
                List<ChannelExtension> channels = new ArrayList<>();
                for (String name : v.extensions()) {
                    Object extension = instantiate(loader, name);
                    boolean known = false;
                    if (extension instanceof ToolExtension t) {
                        t.spec(); // a spec that throws is a broken plugin, found now rather than in a turn
                        tools.add(t);
                        known = true;
                    }
                    if (extension instanceof ToolSetExtension s) {
                        toolSets.add(s);
                        known = true;
                    }
                    if (extension instanceof ChannelExtension c) {
                        c.type();
                        c.configSchema();
                        channels.add(c);
                        known = true;
                    }
                    if (!known) {
                        throw new LoadFailure("the extension " + name + " is not a ToolExtension, ToolSetExtension"
                                + " or ChannelExtension");
                    }
                }
                if (tools.isEmpty() && toolSets.isEmpty() && channels.isEmpty()) {
                    throw new LoadFailure("the plugin has no extensions");
                }
                LOG.log(System.Logger.Level.INFO, "loaded plugin {0} {1}: {2} tool(s), {3} tool set(s),"
                        + " {4} channel(s)", v.pluginId(), v.version(), tools.size(), toolSets.size(), channels.size());
                return new Loaded(v.pluginId(), v.version(), manager, loader, expanded, tools, toolSets,
                        channels);
            });
        } catch (LoadFailure e) {
            unload(manager, id);
            deleteQuietly(expanded);
            throw e;
        }
    }

    /**
     * The libraries a plugin carries as {@code lib/*.jar} (one level deep, as verification allows), extracted once
     * under {@code <store>/expanded/<sha256>/} so the class loader can open them.
     */
    private static List<Path> libraries(Path jar, Path expanded) {
        List<Path> libs = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            int n = 0;
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                if (e.isDirectory() || !name.startsWith("lib/") || !name.endsWith(".jar")
                        || name.indexOf('/', 4) >= 0) {
                    continue;
                }
                String file = String.format("%03d-%s", n++, name.substring(4).replaceAll("[^A-Za-z0-9._-]", "_"));
                Path target = expanded.resolve(file);
                if (!Files.exists(target)) {
                    dev.clawless.core.common.PrivateFiles.folder(expanded);
                    Path part = Files.createTempFile(expanded, "lib-", ".part");
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                libs.add(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the libraries of " + jar.getFileName(), e);
        }
        return libs;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // still open (Windows) or already gone: the next load reuses or replaces it
                }
            });
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static Object instantiate(ClassLoader loader, String name) throws LoadFailure {
        try {
            Class<?> c = Class.forName(name, true, loader);
            if (c.getClassLoader() != loader) {
                throw new LoadFailure("the extension " + name + " is not inside the plugin JAR");
            }
            if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
                throw new LoadFailure("the extension " + name + " must be a public, concrete class");
            }
            return c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new LoadFailure("the extension " + name + " is listed in extensions.idx but not in the JAR");
        } catch (NoSuchMethodException e) {
            throw new LoadFailure("the extension " + name + " needs a public no-argument constructor");
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new LoadFailure("the extension " + name + " threw while being created: " + reason(e.getCause()));
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new LoadFailure("the extension " + name + " cannot be created: " + reason(e));
        }
    }

    /** Runs plugin code on a virtual thread whose context class loader is the plugin's, within the load timeout. */
    private <T> T within(ClassLoader loader, String what, Callable<T> work) throws LoadFailure {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = Thread.ofVirtual().name("clawless-plugin-load").unstarted(task);
        thread.setContextClassLoader(loader);
        thread.start();
        try {
            return task.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new LoadFailure("the plugin did not " + what + " within " + loadTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LoadFailure f) {
                throw f;
            }
            throw new LoadFailure("the plugin failed to " + what + ": " + reason(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadFailure("interrupted while loading the plugin");
        }
    }

    private static void unload(JarPluginManager manager, String id) {
        try {
            manager.stopPlugin(id);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "plugin " + id + " failed to stop: " + reason(e));
        }
        try {
            manager.unloadPlugin(id);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "plugin " + id + " failed to unload: " + reason(e));
        }
    }

    /** A throwable as one line: its class and message, without a stack trace or anything longer than 300 chars. */
    static String reason(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof ExceptionInInitializerError || root.getMessage() == null)) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        text = text.replaceAll("[\\p{Cntrl}]", " ");
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    @Override
    public synchronized void close() {
        for (Loaded l : loaded.values()) {
            if (l.sandboxed != null) {
                l.sandboxed.close();
            } else {
                unload(l.manager, l.pluginId);
            }
        }
        loaded.clear();
    }
}
