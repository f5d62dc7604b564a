package dev.clawless.core.workspace.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.workspace.Workspaces;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * One of the workspace tools. Reading, writing and listing run inside the sandbox too (through the shell), so a
 * path the assistant gives — a link, {@code ..} — resolves in the sandbox's view, never in the hub's.
 */
public final class WorkspaceTool implements ToolExtension {

    public static final String SHELL = "workspace_shell";
    public static final String READ = "workspace_read";
    public static final String WRITE = "workspace_write";
    public static final String LIST = "workspace_list";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_WRITE = 1 << 20;

    private final String name;
    private final Workspaces workspaces;
    private final ToolSpec spec;

    public WorkspaceTool(String name, Workspaces workspaces) {
        this.name = name;
        this.workspaces = workspaces;
        this.spec = switch (name) {
            case SHELL -> new ToolSpec(SHELL, "Run a bash command in this conversation's workspace (a sandboxed Linux"
                    + " folder at /workspace with git and the system's tools). The shell keeps its working folder and"
                    + " variables between commands. Output and exit code come back.", "{\"type\":\"object\","
                    + "\"properties\":{\"command\":{\"type\":\"string\",\"description\":\"the bash command\"}},"
                    + "\"required\":[\"command\"]}", true);
            case READ -> new ToolSpec(READ, "Read a text file of the workspace.", "{\"type\":\"object\",\"properties\":"
                    + "{\"path\":{\"type\":\"string\",\"description\":\"relative to /workspace\"}},\"required\":"
                    + "[\"path\"]}", false);
            case WRITE -> new ToolSpec(WRITE, "Write a text file of the workspace (created or replaced).",
                    "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"content\":{\"type\":"
                    + "\"string\"}},\"required\":[\"path\",\"content\"]}", true);
            case LIST -> new ToolSpec(LIST, "List a folder of the workspace.", "{\"type\":\"object\",\"properties\":"
                    + "{\"path\":{\"type\":\"string\",\"description\":\"relative to /workspace; . by default\"}}}",
                    false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        if (context.conversationId().isEmpty()) {
            return ToolResult.error("the workspace belongs to a conversation; this call has none");
        }
        JsonNode args;
        try {
            args = JSON.readTree(call.argumentsJson());
        } catch (java.io.IOException e) {
            return ToolResult.error("the arguments are not JSON");
        }
        String given = args.path("path").asText(".");
        String path = given.startsWith("/") ? given : "/workspace/" + given; // not the shell's working folder
        String command;
        String detail;
        switch (name) {
            case SHELL -> {
                command = args.path("command").asText("");
                if (command.isBlank()) {
                    return ToolResult.error("command is required");
                }
                detail = command;
            }
            case READ -> {
                command = "head -c 200000 -- " + quote(path);
                detail = path;
            }
            case WRITE -> {
                byte[] content = args.path("content").asText("").getBytes(StandardCharsets.UTF_8);
                if (content.length > MAX_WRITE) {
                    return ToolResult.error("content is larger than 1 MiB");
                }
                command = "mkdir -p -- \"$(dirname -- " + quote(path) + ")\" && printf '%s' '"
                        + Base64.getEncoder().encodeToString(content) + "' | base64 -d > " + quote(path)
                        + " && echo \"wrote " + content.length + " bytes\"";
                detail = path + " (" + content.length + " bytes)";
            }
            default -> {
                command = "ls -la -- " + quote(path);
                detail = path;
            }
        }
        ShellSession.Outcome o = workspaces.run(context.tenantId(), context.conversationId().get(), name,
                detail.length() > 2000 ? detail.substring(0, 2000) + "…" : detail, command, line -> { }, false);
        return result(name, o, workspaces.limits().maxOutputChars());
    }

    /** What the model is told of a command of {@code tool}: its output's last {@code max} characters and outcome. */
    public static ToolResult result(String tool, ShellSession.Outcome o, int max) {
        String output = tail(o.output(), max);
        if (o.stoppedFor().isPresent()) {
            return ToolResult.error(o.stoppedFor().get() + (output.isEmpty() ? "" : "\n" + output));
        }
        if (!tool.equals(SHELL) && o.exitCode() != 0) {
            return ToolResult.error(output.isEmpty() ? "exit " + o.exitCode() : output);
        }
        return tool.equals(SHELL) ? ToolResult.ok("exit " + o.exitCode() + "\n" + output) : ToolResult.ok(output);
    }

    /** The last {@code max} characters of {@code output}, saying how many came before. */
    public static String tail(String output, int max) {
        return output.length() <= max ? output
                : "…(" + (output.length() - max) + " characters before)\n" + output.substring(output.length() - max);
    }

    /** The command {@code arguments} of a {@code workspace_shell} call ask for, or empty when there is none. */
    public static String command(String argumentsJson) {
        try {
            return JSON.readTree(argumentsJson).path("command").asText("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** A shell word: single-quoted, with single quotes escaped. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
