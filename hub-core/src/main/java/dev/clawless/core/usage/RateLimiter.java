package dev.clawless.core.usage;

import java.time.Duration;
import java.util.Optional;

/**
 * Token buckets by key: each holds up to {@code perMinute} tokens and refills continuously at that rate. The
 * in-memory implementation serves one node; a shared store (Redis) serves several behind the same port.
 */
public interface RateLimiter {

    /**
     * Takes a token from the bucket {@code key} of capacity {@code perMinute}.
     *
     * @return empty when allowed, else how long until a token is available
     */
    Optional<Duration> tryAcquire(String key, long perMinute);
}
