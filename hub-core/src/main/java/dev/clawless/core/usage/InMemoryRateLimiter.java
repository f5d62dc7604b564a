package dev.clawless.core.usage;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Token buckets in this process's memory. Thread-safe; each bucket is updated under its own lock. */
public final class InMemoryRateLimiter implements RateLimiter {

    private static final long NANOS_PER_MINUTE = 60_000_000_000L;
    private static final int MAX_BUCKETS = 100_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public InMemoryRateLimiter() {
        this(System::nanoTime);
    }

    /** With a clock the tests control. */
    public InMemoryRateLimiter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    private static final class Bucket {
        double tokens;
        long updated;
        long capacity;
    }

    @Override
    public Optional<Duration> tryAcquire(String key, long perMinute) {
        if (perMinute < 0) {
            return Optional.empty();
        }
        if (perMinute == 0) {
            return Optional.of(Duration.ofMinutes(1));
        }
        if (buckets.size() > MAX_BUCKETS) {
            buckets.clear();
        }
        long now = nanoTime.getAsLong();
        Bucket b = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = perMinute;
            fresh.updated = now;
            fresh.capacity = perMinute;
            return fresh;
        });
        synchronized (b) {
            double rate = (double) perMinute / NANOS_PER_MINUTE;
            b.tokens = Math.min(perMinute, b.tokens + (now - b.updated) * rate);
            b.updated = now;
            b.capacity = perMinute;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Optional.empty();
            }
            long waitNanos = (long) Math.ceil((1 - b.tokens) / rate);
            return Optional.of(Duration.ofNanos(waitNanos));
        }
    }
}
