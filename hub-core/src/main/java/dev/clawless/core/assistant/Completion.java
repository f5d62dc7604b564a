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
 */
public record Completion(String provider, String model, String text, int tokensIn, int tokensOut,
                         String finishReason, java.util.List<dev.clawless.plugin.api.ToolCall> toolCalls,
                         java.util.List<Citation> citations) {

    public Completion {
        toolCalls = java.util.List.copyOf(toolCalls);
        citations = java.util.List.copyOf(citations);
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
