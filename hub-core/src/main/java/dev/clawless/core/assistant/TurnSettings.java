package dev.clawless.core.assistant;

/**
 * How turns assemble context.
 *
 * @param contextTokens  token budget of what a turn sends the model (system prompt, knowledge, summary, history)
 * @param summarizeAfter messages after the summary's cursor that trigger a new summary
 * @param keepRecent     messages a summary leaves out (they stay in the history verbatim)
 */
public record TurnSettings(int contextTokens, int summarizeAfter, int keepRecent) {

    public static final TurnSettings DEFAULT = new TurnSettings(4000, 40, 10);
}
