package dev.clawless.core.tenant;

import java.util.Optional;

/**
 * A tenant's own quotas where they differ from its plan's; an empty value means "the plan's".
 *
 * @param messagesPerMonth  override of {@link Quotas#messagesPerMonth()}
 * @param tokensPerMonth    override of {@link Quotas#tokensPerMonth()}
 * @param requestsPerMinute override of {@link Quotas#requestsPerMinute()}
 */
public record QuotaOverrides(Optional<Long> messagesPerMonth, Optional<Long> tokensPerMonth,
                             Optional<Long> requestsPerMinute) {

    public static final QuotaOverrides NONE = new QuotaOverrides(Optional.empty(), Optional.empty(), Optional.empty());

    /** The quotas in force: each override, else the plan's value. */
    public Quotas over(Quotas plan) {
        return new Quotas(messagesPerMonth.orElse(plan.messagesPerMonth()),
                tokensPerMonth.orElse(plan.tokensPerMonth()),
                requestsPerMinute.orElse(plan.requestsPerMinute()));
    }
}
