package dev.clawless.core.knowledge;

/**
 * One question and its answer.
 *
 * @param question the question as a customer would ask it
 * @param answer   the answer
 */
public record FaqEntry(String question, String answer) {
}
