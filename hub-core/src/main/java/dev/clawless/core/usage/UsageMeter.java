package dev.clawless.core.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.usage.internal.UsageStore;

/**
 * Meters assistant usage per tenant and calendar month (UTC), enforces monthly quotas before a model is called, and
 * rate-limits requests. Thread-safe.
 */
public final class UsageMeter {

    private final Database database;
    private final Prices prices;
    private final RateLimiter limiter;
    private final Clock clock;
    private final UsageStore store = new UsageStore();

    public UsageMeter(Database database, Prices prices, RateLimiter limiter, Clock clock) {
        this.database = database;
        this.prices = prices;
        this.limiter = limiter;
        this.clock = clock;
    }

    /** The current period, {@code YYYY-MM} in UTC. */
    public String currentPeriod() {
        return YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString();
    }

    /** Records one assistant message and its tokens, against the month and the day (UTC) in one transaction. */
    public void record(String tenantId, String provider, String model, long tokensIn, long tokensOut) {
        long cost = prices.costMicros(provider, model, tokensIn, tokensOut);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        UsageRow row = new UsageRow(provider, model, 1, tokensIn, tokensOut, cost);
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        database.inTransaction(tx -> {
            store.add(tx, tenantId, YearMonth.from(day).toString(), row, now);
            store.addDaily(tx, tenantId, day, row, now);
            return null;
        });
    }

    /** Usage of a period ({@code YYYY-MM}). */
    public UsageSummary summary(String tenantId, String period) {
        try {
            YearMonth.parse(period);
        } catch (DateTimeParseException e) {
            throw ClawlessException.Validation.of("period", "must be a month such as 2026-11");
        }
        List<UsageRow> rows = store.rows(database.execute(), tenantId, period);
        return new UsageSummary(period, rows.stream().mapToLong(UsageRow::messages).sum(),
                rows.stream().mapToLong(UsageRow::tokensIn).sum(), rows.stream().mapToLong(UsageRow::tokensOut).sum(),
                rows.stream().mapToLong(UsageRow::costMicros).sum(), rows);
    }

    /**
     * Refuses a model call when the tenant has used its monthly messages or tokens.
     *
     * @throws ClawlessException.TooManyRequests naming the quota, retryable when the next period starts
     */
    public void checkQuota(String tenantId, Quotas quotas) {
        if (quotas.messagesPerMonth() < 0 && quotas.tokensPerMonth() < 0) {
            return;
        }
        UsageSummary used = summary(tenantId, currentPeriod());
        if (quotas.messagesPerMonth() >= 0 && used.messages() >= quotas.messagesPerMonth()) {
            throw exceeded("messages_per_month", quotas.messagesPerMonth(), used.messages());
        }
        if (quotas.tokensPerMonth() >= 0 && used.tokens() >= quotas.tokensPerMonth()) {
            throw exceeded("tokens_per_month", quotas.tokensPerMonth(), used.tokens());
        }
    }

    private ClawlessException.TooManyRequests exceeded(String quota, long limit, long used) {
        Instant now = clock.instant();
        Instant next = YearMonth.now(clock.withZone(ZoneOffset.UTC)).plusMonths(1).atDay(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        long seconds = Math.max(1, Duration.between(now, next).toSeconds());
        return new ClawlessException.TooManyRequests("quota-exceeded", "the monthly quota " + quota + " (" + limit
                + ") is used up (" + used + "); it resets on " + next, seconds);
    }

    /**
     * Takes one request from the bucket {@code key} ({@code requestsPerMinute} of −1 is unlimited).
     *
     * @throws ClawlessException.TooManyRequests with the seconds until the next request is allowed
     */
    public void rateLimit(String key, String what, long requestsPerMinute) {
        limiter.tryAcquire(key, requestsPerMinute).ifPresent(wait -> {
            throw new ClawlessException.TooManyRequests("rate-limited", "more than " + requestsPerMinute
                    + " requests per minute for this " + what, Math.max(1, (wait.toMillis() + 999) / 1000));
        });
    }
}
