package dev.clawless.core.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.tenant.WorkspaceSettings;
import dev.clawless.core.workspace.internal.ShellSession;
import dev.clawless.core.workspace.internal.WorkspaceTool;
import dev.clawless.plugin.api.ToolExtension;

/**
 * The assistant's workspaces: one folder per conversation under {@code <data>/workspaces/<tenant>/<conversation>},
 * kept across restarts, with a sandboxed shell ({@link ShellSession}) started on first use and kept while it is
 * used, so a job's commands share their working folder and environment. A tenant gets the {@code workspace_*}
 * tools only when the operator allows workspaces and the tenant turned its own on. Every command is recorded
 * (tenant, conversation, command, outcome) through the {@link CommandLog}; the mutating tools are subject to the
 * tenant's approval policy like any other. Thread-safe.
 */
public final class Workspaces implements AutoCloseable {

    /** The tools' names, which plugins may not take. */
    public static final Set<String> TOOL_NAMES = Set.of(WorkspaceTool.SHELL, WorkspaceTool.READ, WorkspaceTool.WRITE,
            WorkspaceTool.LIST);

    /** Where each command is recorded: the hub audits it. */
    @FunctionalInterface
    public interface CommandLog {
        void record(String tenantId, String conversationId, String tool, String detail, String outcome);
    }

    private final Path root;
    private final Path runRoot;
    private final WorkspaceLimits limits;
    private final NetworkGuard guard;
    private final Function<String, WorkspaceSettings> settings;
    private final CommandLog log;
    private final List<ToolExtension> tools;
    private final Map<String, ShellSession> shells = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();

    /**
     * @param root     the workspaces' folders
     * @param runRoot  the hub's own folder for the shells' sockets (outside every workspace)
     * @param settings a tenant's workspace settings, now
     */
    public Workspaces(Path root, Path runRoot, WorkspaceLimits limits, NetworkGuard guard,
                      Function<String, WorkspaceSettings> settings, CommandLog log) {
        this.root = root;
        this.runRoot = runRoot;
        this.limits = limits;
        this.guard = guard;
        this.settings = settings;
        this.log = log;
        this.tools = List.of(new WorkspaceTool(WorkspaceTool.SHELL, this), new WorkspaceTool(WorkspaceTool.READ, this),
                new WorkspaceTool(WorkspaceTool.WRITE, this), new WorkspaceTool(WorkspaceTool.LIST, this));
    }

    /** The workspace tools, when the tenant may have them. */
    public List<ToolExtension> tools(String tenantId) {
        return limits.enabled() && settings.apply(tenantId).enabled() ? tools : List.of();
    }

    /** The limits in force. */
    public WorkspaceLimits limits() {
        return limits;
    }

    /** How many shells were started since the hub started (for diagnostics and tests). */
    public long shellsStarted() {
        return started.get();
    }

    /** The folder of a conversation's workspace (it may not exist yet). */
    public Path folder(String tenantId, String conversationId) {
        return root.resolve(safe(tenantId)).resolve(safe(conversationId));
    }

    private static String safe(String id) {
        if (!id.matches("[A-Za-z0-9_-]{1,80}")) {
            throw new IllegalArgumentException("not an id: " + id);
        }
        return id;
    }

    /**
     * Runs a command in the conversation's shell (started first if it is not running) and records it.
     *
     * @param tool the tool the command is for, for the record
     * @param each told of each line of output as it comes (for people watching the conversation)
     * @param wait whether to wait for a command running in the shell now (a command job) or to refuse at once (a
     *             tool call within a turn, which must not hang on another turn's long command)
     */
    public ShellSession.Outcome run(String tenantId, String conversationId, String tool, String detail,
                                    String command, Consumer<String> each, boolean wait) {
        if (!limits.enabled() || !settings.apply(tenantId).enabled()) {
            throw new IllegalStateException("the workspace is off for this tenant");
        }
        stopIdle();
        Path folder = folder(tenantId, conversationId);
        Usage used = usage(folder);
        boolean cleaning = tool.equals(WorkspaceTool.SHELL) && command.matches("\\s*(rm|git\\s+clean)\\s[^;&|`$]*");
        if (used.over(limits) && !cleaning) {
            ShellSession.Outcome refused = new ShellSession.Outcome(-1, "", false, java.util.Optional.of(
                    "the workspace holds " + used + ", over its limit of " + (limits.diskBytes() >> 20) + " MiB or "
                    + MAX_FILES + " files: remove files first (workspace_shell with a plain rm command)"));
            log.record(tenantId, conversationId, tool, detail, "refused: over the disk limit");
            return refused;
        }
        String key = tenantId + "/" + conversationId;
        ShellSession shell;
        try {
            shell = shells.compute(key, (k, s) -> {
                if (s != null && s.alive()) {
                    return s;
                }
                if (s != null) {
                    s.close();
                }
                try {
                    started.incrementAndGet();
                    return ShellSession.start(limits, safe(conversationId), folder,
                            dev.clawless.core.sandbox.SocketFolders.of(runRoot, tenantId + "/" + conversationId),
                            () -> settings.apply(tenantId).hosts(), guard);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            log.record(tenantId, conversationId, tool, detail, "failed: " + e.getCause().getMessage());
            return new ShellSession.Outcome(-1, "", false, java.util.Optional.of(e.getCause().getMessage()));
        }
        // the folder is measured while the command runs: one that fills it past the limit is stopped within a second
        ShellSession running = shell;
        Thread watch = Thread.ofVirtual().name("clawless-workspace-disk").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                Usage now = usage(folder);
                if (now.over(limits)) {
                    running.stop("the command filled the workspace past its limit (" + now + "; at most "
                            + (limits.diskBytes() >> 20) + " MiB and " + MAX_FILES + " files) and was killed with"
                            + " its shell");
                    return;
                }
            }
        });
        ShellSession.Outcome outcome;
        try {
            if (wait) {
                outcome = shell.run(command, limits.commandTimeout(), each);
            } else {
                Optional<ShellSession.Outcome> now = shell.tryRun(command, limits.commandTimeout(), each);
                if (now.isEmpty()) {
                    log.record(tenantId, conversationId, tool, detail, "refused: a command is running");
                    return new ShellSession.Outcome(-1, "", false, Optional.of("a command is running in the workspace"
                            + " now; try again when it has ended"));
                }
                outcome = now.get();
            }
        } finally {
            watch.interrupt();
        }
        Usage after = usage(folder);
        String disk = after.over(limits) ? "; the workspace now holds " + after + ", over its limit: only a plain"
                + " rm command runs until files are removed" : "";
        if (!disk.isEmpty()) {
            outcome = new ShellSession.Outcome(outcome.exitCode(), outcome.output(), outcome.truncated(),
                    java.util.Optional.of(outcome.stoppedFor().map(s -> s + disk).orElse(disk.substring(2))));
        }
        log.record(tenantId, conversationId, tool, detail, outcome.stoppedFor().map(s -> "stopped: " + s)
                .orElse("exit " + outcome.exitCode()));
        return outcome;
    }

    /** Files (folders and links included) one workspace may hold. */
    static final long MAX_FILES = 200_000;

    /** What a workspace holds. */
    record Usage(long bytes, long files) {
        boolean over(WorkspaceLimits limits) {
            return bytes > limits.diskBytes() || files > MAX_FILES;
        }

        @Override
        public String toString() {
            return (bytes >> 20) + " MiB in " + files + " files";
        }
    }

    /** Bytes and entries in a folder, without following links (counting stops past the limits). */
    static Usage usage(Path folder) {
        if (!Files.isDirectory(folder)) {
            return new Usage(0, 0);
        }
        long[] total = {0, 0};
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    total[1]++;
                    return total[1] > MAX_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    total[1]++;
                    return total[1] > MAX_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // counted what could be read
        }
        return new Usage(total[0], total[1]);
    }

    /** Stops shells nobody used within the idle timeout (their folders stay); each command checks first. */
    public void stopIdle() {
        Instant before = Instant.now().minus(limits.idleTimeout());
        shells.entrySet().removeIf(e -> {
            if (!e.getValue().busy() && e.getValue().lastUsed().isBefore(before)) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        shells.values().forEach(ShellSession::close);
        shells.clear();
    }
}
