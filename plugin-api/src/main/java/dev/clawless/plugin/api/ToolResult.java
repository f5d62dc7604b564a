package dev.clawless.plugin.api;

import java.util.Objects;

/**
 * What a tool call gave back to the model: text (often JSON), and whether it is an error the model should see as
 * such.
 *
 * @param content the result
 * @param error   true when the call failed
 */
public record ToolResult(String content, boolean error) {

    public ToolResult {
        Objects.requireNonNull(content, "content");
    }

    public static ToolResult ok(String content) {
        return new ToolResult(content, false);
    }

    public static ToolResult error(String message) {
        return new ToolResult(message, true);
    }
}
