package dev.clawless.core.assistant;

import java.util.Objects;

/**
 * One message of the conversation given to a provider.
 *
 * @param role       who said it
 * @param content    its text
 * @param toolCalls  for an assistant message: the tools it asked to call
 * @param toolCallId for a tool message: the call it answers
 * @param toolName   for a tool message: the tool that answered
 */
public record ChatMessage(Role role, String content, java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls,
                          java.util.Optional<String> toolCallId, java.util.Optional<String> toolName) {

    /** Who said it. */
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = java.util.List.copyOf(toolCalls);
    }

    /** A plain text message. */
    public ChatMessage(Role role, String content) {
        this(role, content, java.util.List.of(), java.util.Optional.empty(), java.util.Optional.empty());
    }

    /** The assistant asking for tool calls. */
    public static ChatMessage toolCalls(String text, java.util.List<dev.clawless.plugin.api.ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, text, calls, java.util.Optional.empty(), java.util.Optional.empty());
    }

    /** A tool's result for one call. */
    public static ChatMessage toolResult(dev.clawless.plugin.api.ToolCall call, String result) {
        return new ChatMessage(Role.TOOL, result, java.util.List.of(), java.util.Optional.of(call.id()),
                java.util.Optional.of(call.name()));
    }
}
