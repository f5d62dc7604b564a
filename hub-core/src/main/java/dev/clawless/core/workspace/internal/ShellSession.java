package dev.clawless.core.workspace.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.clawless.core.sandbox.BoundedLines;
import dev.clawless.core.sandbox.Cgroups;
import dev.clawless.core.sandbox.Egress;
import dev.clawless.core.sandbox.EgressForwarder;
import dev.clawless.core.sandbox.Launch;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.workspace.WorkspaceLimits;

/**
 * One workspace's shell: a {@code bash} under bubblewrap, kept running between commands so that its working folder,
 * variables and functions carry from one command to the next. It sees the system's programs read-only, its own
 * folder at {@code /workspace} read-write, a private {@code /tmp}, no capabilities, no nested user namespaces, its
 * own pid and network namespaces; with hosts allowed, an HTTP(S) proxy on its loopback leads to the hub's egress
 * guard (git, curl and the like use it through {@code https_proxy}). Commands are fed to the shell one at a time;
 * each ends at a marker only the hub knows. A command over its time stops the shell. Thread-safe.
 */
public final class ShellSession implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ShellSession.class.getName());
    private static final int PROXY_PORT = 3128;

    /** What one command gave. */
    public record Outcome(int exitCode, String output, boolean truncated, Optional<String> stoppedFor) {
    }

    private final Process process;
    private final OutputStream stdin;
    private static final int QUEUED = 2000;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>(QUEUED);
    private final Optional<Egress> egress;
    private final Optional<Cgroups.Groups> groups;
    private final Path run;
    private final String marker;
    private volatile Instant lastUsed = Instant.now();
    private volatile boolean ended;
    private volatile boolean busy;
    private volatile String stoppedFor;

    private ShellSession(Process process, Optional<Egress> egress, Optional<Cgroups.Groups> groups, Path run,
                         String marker) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.egress = egress;
        this.groups = groups;
        this.run = run;
        this.marker = marker;
        Thread.ofPlatform().daemon().name("clawless-workspace-out").start(this::read);
    }

    /**
     * Starts a shell on {@code folder}.
     *
     * @param run   a folder of the hub's for this shell's egress socket and files (never the workspace itself)
     * @param hosts the hosts its commands may reach, now; none when it starts: no network
     */
    public static ShellSession start(WorkspaceLimits limits, String name, Path folder, Path run,
                                     java.util.function.Supplier<Collection<String>> hosts, NetworkGuard guard)
            throws IOException {
        Files.createDirectories(folder);
        Files.createDirectories(run);
        // the hosts are read at every connection: one the tenant removes is unreachable at once
        Optional<Egress> egress = hosts.get().isEmpty() ? Optional.empty() : Optional.of(new Egress(
                run.resolve("egress.sock"), hosts, guard, "workspace " + name, reason -> { }));
        Files.writeString(run.resolve("passwd"), "workspace:x:1000:1000:workspace:/workspace:/bin/bash\n");
        Files.writeString(run.resolve("group"), "workspace:x:1000:\n");
        Optional<Cgroups.Groups> groups = Cgroups.create("ws-" + name, (long) limits.memoryMb() << 20, limits.cpus(),
                limits.maxProcesses());
        if (groups.isEmpty()) {
            egress.ifPresent(Egress::close);
            // a shell runs any program: without a process and memory limit one fork bomb takes the machine
            throw new IOException("workspaces need control groups for their limits and the hub cannot create them"
                    + " (run it as root, or delegate a cgroup v2 subtree to it: docs/workspace.md)");
        }
        Process process;
        try {
            process = Launch.start(groups, List.of("--fsize=" + limits.diskBytes(), "--core=0", "--nofile=1024"),
                    bwrap(limits, folder, run, egress.isPresent()), true, "workspaces");
        } catch (IOException e) {
            egress.ifPresent(Egress::close);
            groups.ifPresent(Cgroups.Groups::remove);
            throw e;
        }
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        ShellSession s = new ShellSession(process, egress, groups, run, "__CLAWLESS_END_"
                + HexFormat.of().formatHex(nonce));
        LOG.log(System.Logger.Level.INFO, "workspace {0}: shell started (pid {1}; {2})", name, process.pid(),
                groups.map(Cgroups.Groups::limits).orElse("no control groups: rlimits only"));
        if (egress.isPresent()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            s.run(java + " -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp " + forwarderClassPath()
                    + " " + EgressForwarder.class.getName() + " /run/hub/egress.sock " + PROXY_PORT
                    + " >/dev/null 2>&1 & disown; for i in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/" + PROXY_PORT
                    + ") 2>/dev/null && break; sleep 0.05; done", Duration.ofSeconds(30), line -> { });
        }
        return s;
    }

    private static String forwarderClassPath() {
        try {
            return Path.of(EgressForwarder.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath().toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> bwrap(WorkspaceLimits limits, Path folder, Path run, boolean network) {
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
        List<String> c = new ArrayList<>(List.of(limits.bwrap().toString(),
                "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--clearenv", "--cap-drop", "ALL", "--uid", "1000", "--gid", "1000", "--hostname", "workspace",
                // the private /tmp first: what is bound below it (a runtime or class path under /tmp) lands inside it
                "--size", Long.toString(Math.min(limits.diskBytes(), 256L << 20)), "--tmpfs", "/tmp",
                "--ro-bind", "/usr", "/usr"));
        for (String link : List.of("/bin", "/sbin", "/lib", "/lib64")) {
            if (Files.isSymbolicLink(Path.of(link))) {
                try {
                    c.addAll(List.of("--symlink", Files.readSymbolicLink(Path.of(link)).toString(), link));
                } catch (IOException e) {
                    // leave it out
                }
            } else {
                c.addAll(List.of("--ro-bind-try", link, link));
            }
        }
        for (String etc : List.of("/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/gitconfig")) {
            c.addAll(List.of("--ro-bind-try", etc, etc));
        }
        LinkedHashSet<String> extra = new LinkedHashSet<>();
        if (!javaHome.startsWith("/usr")) {
            extra.add(javaHome.toString());
        }
        if (network && !forwarderClassPath().startsWith("/usr")) {
            extra.add(forwarderClassPath());
        }
        for (String e : extra) {
            c.addAll(List.of("--ro-bind", e, e));
        }
        c.addAll(List.of("--ro-bind", run.resolve("passwd").toString(), "/etc/passwd",
                "--ro-bind", run.resolve("group").toString(), "/etc/group",
                "--bind", folder.toAbsolutePath().toString(), "/workspace",
                "--ro-bind", run.toAbsolutePath().toString(), "/run/hub",
                "--proc", "/proc", "--dev", "/dev",
                "--setenv", "HOME", "/workspace", "--setenv", "USER", "workspace",
                "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "TERM", "dumb", "--setenv", "GIT_TERMINAL_PROMPT", "0", "--chdir", "/workspace"));
        if (network) {
            String proxy = "http://127.0.0.1:" + PROXY_PORT;
            for (String v : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
                c.addAll(List.of("--setenv", v, proxy));
            }
        }
        c.addAll(List.of("--remount-ro", "/", "/bin/bash", "--noprofile", "--norc"));
        return c;
    }

    /**
     * Reads the shell's output: lines cut at 4,000 characters, kept only while a command runs (what background
     * processes print in between is dropped) and at most {@link #QUEUED} waiting, the end marker always.
     */
    private void read() {
        try {
            BoundedLines.read(process.getInputStream(), 4000, line -> {
                if (line.startsWith(marker)) {
                    while (!lines.offer(line)) {
                        lines.poll(); // the end marker always gets in; an output line gives way
                    }
                } else if (busy) {
                    lines.offer(line);
                }
            });
        } catch (IOException ignored) {
            // the shell is gone
        }
        ended = true;
        while (!lines.offer(marker + " ended")) {
            lines.poll();
        }
    }

    /**
     * Runs one command in the shell, its standard input empty and its standard error with its output.
     *
     * @param each told of every line as it comes (for operators watching)
     */
    public Outcome run(String command, Duration timeout, Consumer<String> each) {
        lock.lock(); // a lock, not synchronized: a virtual thread waiting here does not pin its carrier
        try {
            return runLocked(command, timeout, each);
        } finally {
            lock.unlock();
        }
    }

    /** Runs the command unless another one runs in the shell now (then empty, at once). */
    public Optional<Outcome> tryRun(String command, Duration timeout, Consumer<String> each) {
        if (!lock.tryLock()) {
            return Optional.empty();
        }
        try {
            return Optional.of(runLocked(command, timeout, each));
        } finally {
            lock.unlock();
        }
    }

    private Outcome runLocked(String command, Duration timeout, Consumer<String> each) {
        busy = true;
        try {
            return runNow(command, timeout, each);
        } finally {
            busy = false;
            lastUsed = Instant.now();
        }
    }

    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    private Outcome runNow(String command, Duration timeout, Consumer<String> each) {
        lastUsed = Instant.now();
        if (!alive()) {
            return new Outcome(-1, "", false, Optional.of("the workspace's shell has ended"));
        }
        String encoded = Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8));
        // traps and functions a former command left would run inside this one's wrapper: cleared first
        String wrapped = "trap - DEBUG RETURN ERR; unset -f printf base64 eval trap 2>/dev/null; eval \"$(printf '%s' '"
                + encoded + "' | base64 -d)\" </dev/null 2>&1; __rc=$?; printf '\\n" + marker + " %d\\n' \"$__rc\"\n";
        lines.clear();
        try {
            stdin.write(wrapped.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            return new Outcome(-1, "", false, Optional.of("the workspace's shell has ended"));
        }
        StringBuilder out = new StringBuilder();
        boolean truncated = false;
        boolean heldEmpty = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line;
            try {
                line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                return new Outcome(-1, out.toString(), truncated, Optional.of("the command was interrupted"
                        + " (its call ended or the hub is stopping) and was killed with its shell"));
            }
            if (stoppedFor != null) {
                kill();
                return new Outcome(-1, out.toString(), truncated, Optional.of(stoppedFor));
            }
            if (line == null) {
                kill();
                return new Outcome(-1, out.toString(), truncated, Optional.of("the command ran past its limit of "
                        + timeout.toSeconds() + " s and was killed with its shell"));
            }
            if (line.startsWith(marker)) {
                String rest = line.substring(marker.length()).trim();
                if (rest.equals("ended")) {
                    return new Outcome(-1, out.toString(), truncated, Optional.of("the shell ended"
                            + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")")));
                }
                int code;
                try {
                    code = Integer.parseInt(rest);
                } catch (NumberFormatException e) {
                    kill();
                    return new Outcome(-1, out.toString(), truncated, Optional.of("the shell's output could not be"
                            + " read; the shell was stopped"));
                }
                // the marker starts on a line of its own: its newline, and the command's last one, are not output
                String text = out.toString();
                if (text.endsWith("\n")) {
                    text = text.substring(0, text.length() - 1);
                }
                if (text.endsWith("\n")) {
                    text = text.substring(0, text.length() - 1);
                }
                lastUsed = Instant.now();
                return new Outcome(code, text, truncated, Optional.empty());
            }
            // the wrapper's newline before the marker comes as an empty line: one is held back until the next line
            if (heldEmpty) {
                each.accept("");
            }
            heldEmpty = line.isEmpty();
            if (!heldEmpty) {
                each.accept(line);
            }
            out.append(line).append('\n');
            if (out.length() > 200_000) {
                out.delete(0, out.length() - 100_000);
                truncated = true;
            }
        }
    }

    public boolean alive() {
        return !ended && process.isAlive();
    }

    public Instant lastUsed() {
        return lastUsed;
    }

    /** Whether a command runs now. */
    public boolean busy() {
        return busy;
    }

    /** Stops the shell and the command it runs, which ends with {@code reason}. */
    public void stop(String reason) {
        stoppedFor = reason;
        kill();
    }

    private void kill() {
        ended = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        kill();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        egress.ifPresent(Egress::close);
        groups.ifPresent(Cgroups.Groups::remove);
        for (String f : List.of("passwd", "group")) {
            run.resolve(f).toFile().delete();
        }
        run.toFile().delete();
    }
}
