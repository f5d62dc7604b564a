package dev.clawless.server.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import dev.clawless.core.usage.RateLimiter;

/**
 * Token buckets every node shares, kept in Redis: one Lua script per take reads the bucket, refills it for the time
 * elapsed on Redis's clock (milliseconds) (so the nodes' clocks do not matter), takes a token or answers the wait, and stores it with
 * a time to live of a full refill. The script is run by its SHA-1 ({@code EVALSHA}) and loaded again when Redis
 * answers {@code NOSCRIPT} (a restarted or flushed Redis). While Redis is away, the node's own buckets are used: the
 * limits then hold per node. Thread-safe.
 */
public final class SharedRateLimiter implements RateLimiter {

    /** Bucket keys; the rest of the key is the caller's. */
    static final String PREFIX = "clawless:bucket:";
    static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
            local capacity = tonumber(ARGV[1])
            local rate = capacity / 60000
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
            local tokens = tonumber(b[1])
            local updated = tonumber(b[2])
            if tokens == nil or updated == nil then
              tokens = capacity
              updated = now
            end
            if now > updated then
              tokens = tokens + (now - updated) * rate
              updated = now
            end
            tokens = math.min(capacity, tokens)
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
            else
              wait = math.ceil((1 - tokens) / rate * 1000)
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'updated',
              string.format('%.3f', updated))
            redis.call('PEXPIRE', KEYS[1], 61000)
            return wait
            """;

    private final Redis redis;
    private final RateLimiter local;
    private final String sha;

    /**
     * @param local the node's own buckets, used while Redis is away
     */
    public SharedRateLimiter(Redis redis, RateLimiter local) {
        this.redis = redis;
        this.local = local;
        this.sha = sha1(SCRIPT);
    }

    @Override
    public Optional<Duration> tryAcquire(String key, long perMinute) {
        if (perMinute < 0) {
            return Optional.empty();
        }
        if (perMinute == 0) {
            return Optional.of(Duration.ofMinutes(1));
        }
        Optional<Long> waitMicros = redis.call(jedis -> take(jedis, PREFIX + key, perMinute));
        if (waitMicros.isEmpty()) {
            return local.tryAcquire(key, perMinute);
        }
        long micros = waitMicros.get();
        return micros <= 0 ? Optional.empty() : Optional.of(Duration.ofNanos(micros * 1000));
    }

    private Long take(Jedis jedis, String key, long perMinute) {
        List<String> keys = List.of(key);
        List<String> args = List.of(Long.toString(perMinute));
        Object answer;
        try {
            answer = jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            // a new or flushed Redis: load the script once, then run it by its hash again
            jedis.scriptLoad(SCRIPT);
            answer = jedis.evalsha(sha, keys, args);
        }
        return ((Number) answer).longValue();
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
