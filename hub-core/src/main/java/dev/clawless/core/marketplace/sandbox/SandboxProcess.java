package dev.clawless.core.marketplace.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.core.sandbox.BoundedLines;
import dev.clawless.core.sandbox.Cgroups;
import dev.clawless.core.sandbox.Egress;
import dev.clawless.core.sandbox.Launch;
import dev.clawless.core.security.NetworkGuard;

/**
 * One running child JVM of a sandboxed plugin: bubblewrap's namespaces (its own network with only loopback, its own
 * pids, ipc and hostname, no capabilities, no nested user namespaces), a read-only view of the Java runtime, the
 * system libraries, the sandbox classes and the plugin's JAR, a private {@code /tmp}, an empty environment, control
 * groups for processes, memory and CPU where the hub may create them, and rlimits for address space and open files.
 * The hub talks to it over its standard input and output; its standard error goes to the hub's log.
 */
final class SandboxProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SandboxProcess.class.getName());

    private final String name;
    private final Process process;
    private final Peer peer;
    private final Egress egress;
    private final Optional<Cgroups.Groups> groups;
    private final Path folder;
    private final Instant startedAt = Instant.now();
    private final Deque<String> lastErrors = new ArrayDeque<>();
    private final long memoryBytes;
    private volatile String killedFor;
    private volatile String ended;
    private Thread errors;

    private SandboxProcess(String name, Process process, Peer peer, Egress egress, Optional<Cgroups.Groups> groups,
                           Path folder, long memoryBytes) {
        this.name = name;
        this.process = process;
        this.peer = peer;
        this.egress = egress;
        this.groups = groups;
        this.folder = folder;
        this.memoryBytes = memoryBytes;
    }

    /**
     * Starts a child for {@code jar}; {@code callbacks} answers the child's calls back to the hub.
     *
     * @param hosts   the hosts its egress may reach now
     * @param refused told of each egress refusal
     */
    static SandboxProcess start(SandboxSettings settings, String name, Path jar, Supplier<Collection<String>> hosts,
                                NetworkGuard guard, Peer.Handler callbacks,
                                java.util.function.Consumer<String> refused) throws IOException {
        Path folder = dev.clawless.core.sandbox.SocketFolders.of(settings.runFolder(), name);
        Files.createDirectories(folder);
        Egress egress = new Egress(folder.resolve("egress.sock"), hosts, guard, name, refused);
        long processBytes = 3L * settings.memoryMb() << 20;
        Optional<Cgroups.Groups> groups = Cgroups.create(name, processBytes, settings.cpus(),
                settings.maxProcesses());
        Process process;
        try {
            // address space: a small JVM reserves about 1.5 GiB (class space, code cache, stacks) beyond its heap
            process = Launch.start(groups, List.of("--as=" + (processBytes + (2L << 30)), "--nofile=512", "--core=0"),
                    bwrap(settings, jar, folder), false, "sandboxed plugins");
        } catch (IOException e) {
            egress.close();
            groups.ifPresent(Cgroups.Groups::remove);
            throw e;
        }
        Peer peer = new Peer("clawless-sandbox-" + name, process.getInputStream(), process.getOutputStream(),
                callbacks, 16);
        SandboxProcess p = new SandboxProcess(name, process, peer, egress, groups, folder, processBytes);
        p.errors = Thread.ofPlatform().daemon().name("clawless-sandbox-log-" + name).start(p::logErrors);
        peer.start(pipe -> {
            String reason = p.why(pipe);
            p.ended = reason;
            return reason;
        });
        LOG.log(System.Logger.Level.INFO, "sandbox {0} started (pid {1}; {2})", name, process.pid(),
                groups.map(Cgroups.Groups::limits).orElse("no control groups: the JVM's limits and rlimits only"));
        return p;
    }

    private static List<String> bwrap(SandboxSettings s, Path jar, Path folder) {
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
        List<String> c = new ArrayList<>(List.of(s.bwrap().toString(),
                "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--clearenv", "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
                // the private /tmp first: what is bound below it (a class path under /tmp) is mounted inside it
                "--size", Long.toString(s.tmpBytes()), "--tmpfs", "/tmp"));
        for (String lib : List.of("/usr/lib", "/usr/lib64", "/lib", "/lib64")) {
            if (Files.isSymbolicLink(Path.of(lib))) {
                c.addAll(List.of("--symlink", readLink(lib), lib));
            } else {
                c.addAll(List.of("--ro-bind-try", lib, lib));
            }
        }
        c.addAll(List.of("--ro-bind", javaHome.toString(), javaHome.toString()));
        for (String entry : classPath()) {
            c.addAll(List.of("--ro-bind", entry, entry));
        }
        c.addAll(List.of("--ro-bind", jar.toAbsolutePath().toString(), "/plugin/plugin.jar",
                "--ro-bind", folder.toAbsolutePath().toString(), "/run/hub",
                "--proc", "/proc", "--dev", "/dev",
                "--setenv", "HOME", "/tmp", "--setenv", "TZ", "UTC", "--setenv", "LANG", "C.UTF-8",
                "--chdir", "/tmp",
                javaHome.resolve("bin/java").toString(),
                "-Xmx" + s.memoryMb() + "m", "-Xss512k", "-XX:MaxMetaspaceSize=128m",
                "-XX:CompressedClassSpaceSize=64m", "-XX:ReservedCodeCacheSize=48m",
                "-XX:MaxDirectMemorySize=32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:ActiveProcessorCount=" + Math.max(1, (int) Math.ceil(s.cpus())),
                "-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr", "-XX:ErrorFile=/tmp/hs_err.log",
                "-Xshare:auto", "-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-Dslf4j.internal.verbosity=ERROR",
                "-cp", String.join(":", classPath()), SandboxChild.class.getName(),
                "/run/hub/egress.sock", "/plugin/plugin.jar"));
        return c;
    }

    private static String readLink(String link) {
        try {
            return Files.readSymbolicLink(Path.of(link)).toString();
        } catch (IOException e) {
            return link;
        }
    }

    /**
     * What the child's classes come from: the sandbox and plugin runtime (hub-core), the plugin API, pf4j and its
     * version library, SLF4J's API and Jackson. Only these are visible in the sandbox, read-only.
     */
    static List<String> classPath() {
        LinkedHashSet<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(SandboxChild.class, dev.clawless.plugin.api.PluginApi.class, org.pf4j.Plugin.class,
                com.github.zafarkhaja.semver.Version.class, org.slf4j.Logger.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonParser.class,
                com.fasterxml.jackson.annotation.JsonInclude.class,
                com.fasterxml.jackson.datatype.jdk8.Jdk8Module.class,
                com.fasterxml.jackson.datatype.jsr310.JavaTimeModule.class)) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath()
                        .toString());
            } catch (java.net.URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot find where " + c.getName() + " is loaded from", e);
            }
        }
        return List.copyOf(entries);
    }

    /**
     * Logs what the child writes on standard error: lines cut at 2,000 characters, at most 120 a minute (then one
     * line saying how many were left out), the last 20 kept for the reason of a crash.
     */
    private void logErrors() {
        long[] window = {System.nanoTime(), 0, 0};
        try {
            BoundedLines.read(process.getErrorStream(), 2000, shown -> {
                synchronized (lastErrors) {
                    lastErrors.addLast(shown);
                    if (lastErrors.size() > 20) {
                        lastErrors.removeFirst();
                    }
                }
                long now = System.nanoTime();
                if (now - window[0] > 60_000_000_000L) {
                    if (window[2] > 0) {
                        LOG.log(System.Logger.Level.WARNING, "[sandbox {0}] {1} lines of its output left out",
                                name, window[2]);
                    }
                    window[0] = now;
                    window[1] = 0;
                    window[2] = 0;
                }
                if (++window[1] <= 120) {
                    LOG.log(System.Logger.Level.INFO, "[sandbox {0}] {1}", name, shown);
                } else {
                    window[2]++;
                }
            });
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    /** Why the pipe ended, in the terms an operator needs: killed by the hub, out of memory, or its exit code. */
    private String why(String pipe) {
        try {
            process.waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!process.isAlive()) {
                errors.join(1000); // the last words on standard error
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String killed = killedFor;
        if (killed != null) {
            return killed;
        }
        List<String> errors;
        synchronized (lastErrors) {
            errors = List.copyOf(lastErrors);
        }
        if (errors.stream().anyMatch(l -> l.contains("OutOfMemoryError") || l.contains("Cannot allocate memory")
                || l.contains("unable to create native thread") || l.contains("pthread_create failed"))) {
            return "the plugin's sandbox ran out of memory or threads (about " + (memoryBytes >> 20)
                    + " MiB and a bounded number of threads are allowed) and was stopped";
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            return "the plugin's sandbox closed its pipe (" + pipe + ") and was stopped";
        }
        int code = process.exitValue();
        return "the plugin's sandbox exited with code " + code + (code == 137 ? " (killed: over its memory limit?)"
                : code == 97 ? " (it could not join its control groups)" : "")
                + (errors.isEmpty() ? "" : "; last output: " + errors.get(errors.size() - 1));
    }

    /** Calls the child. */
    JsonNode call(String method, JsonNode body, String ctx, Duration timeout) throws Peer.Timeout,
            InterruptedException {
        return peer.call(method, body, ctx, timeout);
    }

    boolean alive() {
        return ended == null && killedFor == null && process.isAlive();
    }

    /** Why the child stopped, once it has. */
    String endedFor() {
        return killedFor != null ? killedFor : ended != null ? ended : "the plugin's sandbox stopped";
    }

    Instant startedAt() {
        return startedAt;
    }

    long pid() {
        return process.pid();
    }

    /** Stops the child at once (with its whole process tree), failing waiting calls with {@code reason}. */
    void kill(String reason) {
        if (killedFor == null) {
            killedFor = reason;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        peer.end(reason);
    }

    @Override
    public void close() {
        kill("the plugin's sandbox was stopped");
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peer.close();
        egress.close();
        groups.ifPresent(Cgroups.Groups::remove);
        try (var files = Files.list(folder)) {
            files.forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // gone already
        }
        folder.toFile().delete();
    }
}
