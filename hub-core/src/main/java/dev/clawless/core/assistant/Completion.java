package dev.clawless.core.assistant;

/**
 * A provider's finished answer.
 *
 * @param provider     the provider that answered
 * @param model        the model that answered
 * @param text         the full text (the concatenation of the streamed deltas)
 * @param tokensIn     prompt tokens (counted by the provider, or estimated)
 * @param tokensOut    completion tokens
 * @param finishReason {@code stop}, {@code length}, or {@code handoff} when the assistant offers a human
 */
public record Completion(String provider, String model, String text, int tokensIn, int tokensOut,
                         String finishReason) {
}
