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
 * @param citations    the knowledge the answer was taken from (the retrieval assistant's; empty otherwise)
 * @param thinking     the model's extended thinking before it answered (Anthropic's, when the hub enables it);
 *                     empty otherwise. For operators only: never part of {@code text}
 */
public record Completion(String provider, String model, String text, int tokensIn, int tokensOut,
                         String finishReason, java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls,
                         java.util.List<Citation> citations, String thinking) {

    public Completion {
        toolCalls = java.util.List.copyOf(toolCalls);
        citations = java.util.List.copyOf(citations);
        java.util.Objects.requireNonNull(thinking, "thinking");
    }

    /** An answer without thinking. */
    public Completion(String provider, String model, String text, int tokensIn, int tokensOut, String finishReason,
                      java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls,
                      java.util.List<Citation> citations) {
        this(provider, model, text, tokensIn, tokensOut, finishReason, toolCalls, citations, "");
    }

    /** An answer without citations. */
    public Completion(String provider, String model, String text, int tokensIn, int tokensOut, String finishReason,
                      java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls) {
        this(provider, model, text, tokensIn, tokensOut, finishReason, toolCalls, java.util.List.of());
    }

    /** A text answer. */
    public Completion(String provider, String model, String text, int tokensIn, int tokensOut, String finishReason) {
        this(provider, model, text, tokensIn, tokensOut, finishReason, java.util.List.of());
    }
}
