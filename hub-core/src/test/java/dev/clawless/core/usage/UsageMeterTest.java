package dev.clawless.core.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.tenant.Quotas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageMeterTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-11-30T23:00:00Z"));
    private Database database;
    private UsageMeter meter;
    private String tenant;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        meter = new UsageMeter(database, Prices.parse("openai/gpt-4o-mini=0.15:0.60, anthropic/*=3:15"),
                new InMemoryRateLimiter(), clock);
        tenant = TestTenants.create(database, clock, "A", new Quotas(1, 1, 1));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void usageAddsUpPerModelWithCostsEvenUnderConcurrency(Engine engine) throws Exception {
        open(engine);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 40; i++) {
                done.add(pool.submit(() -> meter.record(tenant, "openai", "gpt-4o-mini", 1000, 500)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        meter.record(tenant, "anthropic", "claude-x", 2000, 100);
        meter.record(tenant, "retrieval", "all-minilm-l6-v2", 10, 20);
        UsageSummary s = meter.summary(tenant, "2026-11");
        assertEquals(42, s.messages());
        assertEquals(40 * 1000 + 2000 + 10, s.tokensIn());
        assertEquals(40 * 500 + 100 + 20, s.tokensOut());
        // 40 × (1000 × 0.15 + 500 × 0.60) + (2000 × 3 + 100 × 15) micro-dollars
        assertEquals(40 * 450 + 7500, s.costMicros());
        assertEquals(3, s.byModel().size());
        assertEquals(0, meter.summary(tenant, "2026-10").messages());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aUsedUpQuotaRefusesUntilTheNextMonth(Engine engine) {
        open(engine);
        meter.checkQuota(tenant, new Quotas(2, 10_000, -1));
        meter.record(tenant, "retrieval", "m", 10, 10);
        meter.record(tenant, "retrieval", "m", 10, 10);
        ClawlessException.TooManyRequests e = assertThrows(ClawlessException.TooManyRequests.class,
                () -> meter.checkQuota(tenant, new Quotas(2, 10_000, -1)));
        assertEquals("quota-exceeded", e.type());
        assertTrue(e.detail().contains("messages_per_month"), e.detail());
        assertEquals(3600, e.retryAfterSeconds(), "until 2026-12-01T00:00Z");
        ClawlessException.TooManyRequests tokens = assertThrows(ClawlessException.TooManyRequests.class,
                () -> meter.checkQuota(tenant, new Quotas(-1, 40, -1)));
        assertTrue(tokens.detail().contains("tokens_per_month"), tokens.detail());
        meter.checkQuota(tenant, new Quotas(-1, -1, -1));
        clock.advance(Duration.ofHours(1));
        meter.checkQuota(tenant, new Quotas(2, 10_000, -1));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aBadPeriodIsAValidationError(Engine engine) {
        open(engine);
        assertThrows(ClawlessException.Validation.class, () -> meter.summary(tenant, "November"));
    }

    @Test
    void theTokenBucketAllowsABurstThenRefillsAtItsRate() {
        AtomicLong now = new AtomicLong();
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(now::get);
        for (int i = 0; i < 60; i++) {
            assertTrue(limiter.tryAcquire("k", 60).isEmpty(), "burst " + i);
        }
        Optional<Duration> wait = limiter.tryAcquire("k", 60);
        assertTrue(wait.isPresent());
        assertEquals(1000, wait.get().toMillis(), 1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(limiter.tryAcquire("k", 60).isEmpty());
        assertTrue(limiter.tryAcquire("other", 60).isEmpty(), "buckets are per key");
        assertTrue(limiter.tryAcquire("k", -1).isEmpty(), "-1 is unlimited");
    }

    @Test
    void pricesParseAndBadOnesAreNamed() {
        Prices p = Prices.parse("openai/gpt-4o=2.5:10");
        assertEquals(12_500, p.costMicros("openai", "gpt-4o", 1000, 1000));
        assertEquals(0, p.costMicros("ollama", "llama3.1", 1000, 1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prices.parse("gpt4=cheap"));
        assertTrue(e.getMessage().contains("gpt4=cheap"));
    }
}
