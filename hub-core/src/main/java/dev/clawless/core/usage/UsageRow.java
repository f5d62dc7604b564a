package dev.clawless.core.usage;

/**
 * Usage of one model in one month.
 *
 * @param provider   provider
 * @param model      model
 * @param messages   assistant messages
 * @param tokensIn   prompt tokens
 * @param tokensOut  completion tokens
 * @param costMicros estimated cost, millionths of a USD
 */
public record UsageRow(String provider, String model, long messages, long tokensIn, long tokensOut,
                       long costMicros) {
}
