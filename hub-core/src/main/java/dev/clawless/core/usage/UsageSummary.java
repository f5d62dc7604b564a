package dev.clawless.core.usage;

import java.util.List;

/**
 * A tenant's usage in one month.
 *
 * @param period     {@code YYYY-MM} (UTC)
 * @param messages   assistant messages
 * @param tokensIn   prompt tokens
 * @param tokensOut  completion tokens
 * @param costMicros estimated cost, millionths of a USD
 * @param byModel    the same per provider and model
 */
public record UsageSummary(String period, long messages, long tokensIn, long tokensOut, long costMicros,
                           List<UsageRow> byModel) {

    public UsageSummary {
        byModel = List.copyOf(byModel);
    }

    public long tokens() {
        return tokensIn + tokensOut;
    }
}
