package dev.clawless.core.assistant;

/**
 * A provider's finished answer.
 *
 * @param provider     the provider that answered
 * @param model        the model that answered
 * @param text         the full text (the concatenation of the streamed deltas)
 * @param tokensIn     prompt tokens (counted by the provider, or estimated)
 * @param tokensOut    completion tokens
 * @param finishReason {@code stop}, {@code length}, {@code handoff} when the assistant offers a human, or
 *                     {@code tool_calls} when the model asks for {@code toolCalls} before answering
 * @param toolCalls    the tools the model asked to call (empty for a text answer)
 */
public record Completion(String provider, String model, String text, int tokensIn, int tokensOut,
                         String finishReason, java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls) {

    public Completion {
        toolCalls = java.util.List.copyOf(toolCalls);
    }

    /** A text answer. */
    public Completion(String provider, String model, String text, int tokensIn, int tokensOut, String finishReason) {
        this(provider, model, text, tokensIn, tokensOut, finishReason, java.util.List.of());
    }
}
