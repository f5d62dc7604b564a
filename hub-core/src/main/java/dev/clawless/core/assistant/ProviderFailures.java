package dev.clawless.core.assistant;

import dev.clawless.core.common.ClawlessException;

/**
 * What a caller is told when no provider answered, by the last provider's upstream status: a 429 stays a 429 with
 * the provider's {@code Retry-After} (or {@link #DEFAULT_RETRY_AFTER_SECONDS} when it sent none in seconds); a
 * refused API key (401, 403) is a 502 saying the hub's credentials were refused; anything else (5xx, timeouts,
 * unreachable, other 4xx) is a 502 naming the provider.
 */
final class ProviderFailures {

    /** The hub's own Retry-After for a provider's 429 that did not say when to retry. */
    static final long DEFAULT_RETRY_AFTER_SECONDS = 5;

    private ProviderFailures() {
    }

    /**
     * @param last      the last provider's failure
     * @param fallbacks what was tried after the first provider, e.g. {@code " (fallbacks tried: [...])"}, or empty
     */
    static ClawlessException problem(ProviderException last, String fallbacks) {
        int status = last.upstreamStatus().orElse(0);
        if (status == 429) {
            long seconds = last.retryAfterSeconds().orElse(DEFAULT_RETRY_AFTER_SECONDS);
            return new ClawlessException.TooManyRequests("provider-rate-limited", "provider '" + last.provider()
                    + "' is rate limiting the hub (upstream 429); retry after " + seconds + " s" + fallbacks, seconds);
        }
        if (status == 401 || status == 403) {
            return new ClawlessException.BadGateway("provider-credentials-refused", "provider '" + last.provider()
                    + "' refused the hub's credentials (upstream " + status + "); the operator must check the"
                    + " provider's API key" + fallbacks);
        }
        return new ClawlessException.BadGateway("provider-failed", last.getMessage() + fallbacks);
    }
}
