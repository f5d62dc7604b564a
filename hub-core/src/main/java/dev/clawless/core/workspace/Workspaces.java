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

    /** Told of each line of a command's output as it comes, for people watching the conversation. */
    @FunctionalInterface
    public interface OutputListener {
        void line(String tenantId, String conversationId, String line);
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
    private volatile OutputListener listener = (t, c, l) -> { };

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

    /** Where command output goes as it comes. */
    public void onOutput(OutputListener listener) {
        this.listener = listener;
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
     */
    public ShellSession.Outcome run(String tenantId, String conversationId, String tool, String detail,
                                    String command) {
        if (!limits.enabled() || !settings.apply(tenantId).enabled()) {
            throw new IllegalStateException("the workspace is off for this tenant");
        }
        stopIdle();
        Path folder = folder(tenantId, conversationId);
        long used = size(folder);
        if (used > limits.diskBytes() && !tool.equals(WorkspaceTool.SHELL)) {
            ShellSession.Outcome refused = new ShellSession.Outcome(-1, "", false, java.util.Optional.of(
                    "the workspace holds " + (used >> 20) + " MiB, over its limit of " + (limits.diskBytes() >> 20)
                    + " MiB: remove files (workspace_shell with rm) first"));
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
                            settings.apply(tenantId).hosts(), guard);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            log.record(tenantId, conversationId, tool, detail, "failed: " + e.getCause().getMessage());
            return new ShellSession.Outcome(-1, "", false, java.util.Optional.of(e.getCause().getMessage()));
        }
        Consumer<String> each = line -> listener.line(tenantId, conversationId, line);
        ShellSession.Outcome outcome = shell.run(command, limits.commandTimeout(), each);
        long after = size(folder);
        String disk = after > limits.diskBytes() ? "; the workspace now holds " + (after >> 20)
                + " MiB, over its limit of " + (limits.diskBytes() >> 20) + " MiB: only shell commands run until"
                + " files are removed" : "";
        if (!disk.isEmpty()) {
            outcome = new ShellSession.Outcome(outcome.exitCode(), outcome.output(), outcome.truncated(),
                    java.util.Optional.of(outcome.stoppedFor().map(s -> s + disk).orElse(disk.substring(2))));
        }
        log.record(tenantId, conversationId, tool, detail, outcome.stoppedFor().map(s -> "stopped: " + s)
                .orElse("exit " + outcome.exitCode()));
        return outcome;
    }

    /** Bytes in a folder, without following links. */
    static long size(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // counted what could be read
        }
        return total[0];
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
