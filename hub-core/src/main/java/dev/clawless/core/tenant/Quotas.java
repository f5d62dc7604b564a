package dev.clawless.core.tenant;

/**
 * Limits that apply to a tenant. {@link #UNLIMITED} ({@code -1}) means no limit.
 *
 * @param messagesPerMonth  assistant messages per calendar month (UTC)
 * @param tokensPerMonth    model tokens (in + out) per calendar month (UTC)
 * @param requestsPerMinute API requests per minute
 */
public record Quotas(long messagesPerMonth, long tokensPerMonth, long requestsPerMinute) {

    public static final long UNLIMITED = -1;

    public Quotas {
        if (messagesPerMonth < UNLIMITED || tokensPerMonth < UNLIMITED || requestsPerMinute < UNLIMITED) {
            throw new IllegalArgumentException("quotas are -1 (unlimited) or more");
        }
    }
}
