package dev.clawless.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import dev.clawless.core.usage.InMemoryRateLimiter;
import dev.clawless.server.TestRedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token buckets in a real Redis, taken by two nodes (two connection pools) at once. */
class SharedRateLimiterTest {

    private static TestRedis server;
    private static Redis nodeA;
    private static Redis nodeB;

    @BeforeAll
    static void start() {
        server = TestRedis.start();
        RedisSettings settings = new RedisSettings(URI.create(server.url()), 4, Duration.ofSeconds(2));
        nodeA = new Redis(settings);
        nodeB = new Redis(settings);
    }

    @AfterAll
    static void stop() {
        nodeA.close();
        nodeB.close();
        server.close();
    }

    @Test
    void twoNodesTakeFromOneBucket() {
        SharedRateLimiter a = new SharedRateLimiter(nodeA, new InMemoryRateLimiter());
        SharedRateLimiter b = new SharedRateLimiter(nodeB, new InMemoryRateLimiter());
        int allowed = 0;
        Optional<Duration> lastWait = Optional.empty();
        for (int i = 0; i < 30; i++) {
            Optional<Duration> wait = (i % 2 == 0 ? a : b).tryAcquire("two-nodes", 10);
            if (wait.isEmpty()) {
                allowed++;
            } else {
                lastWait = wait;
            }
        }
        // 10 a minute is one token every 6 s: thirty takes within a few seconds get the ten, not ten per node
        assertTrue(allowed == 10 || allowed == 11, "allowed " + allowed);
        assertTrue(lastWait.orElseThrow().compareTo(Duration.ofSeconds(6)) <= 0, lastWait.toString());
        assertTrue(lastWait.orElseThrow().compareTo(Duration.ZERO) > 0, lastWait.toString());
        try (Jedis jedis = nodeA.dedicated()) {
            long ttl = jedis.pttl(SharedRateLimiter.PREFIX + "two-nodes");
            assertTrue(ttl > 0 && ttl <= 61_000, "a bucket expires once it would be full again: " + ttl);
        }
    }

    @Test
    void theScriptIsLoadedAgainWhenRedisForgotIt() {
        SharedRateLimiter a = new SharedRateLimiter(nodeA, new InMemoryRateLimiter());
        assertEquals(Optional.empty(), a.tryAcquire("flushed", 5));
        try (Jedis jedis = nodeA.dedicated()) {
            jedis.scriptFlush();
            assertEquals(false, jedis.scriptExists(sha()));
        }
        assertEquals(Optional.empty(), a.tryAcquire("flushed", 5));
        try (Jedis jedis = nodeA.dedicated()) {
            assertEquals(true, jedis.scriptExists(sha()));
            // two of five taken (plus what refilled meanwhile, 5 a minute)
            double tokens = Double.parseDouble(jedis.hget(SharedRateLimiter.PREFIX + "flushed", "tokens"));
            assertTrue(tokens >= 3 && tokens < 3.5, "tokens " + tokens);
        }
    }

    @Test
    void noLimitAndAZeroLimitNeedNoRedis() {
        SharedRateLimiter a = new SharedRateLimiter(nodeA, new InMemoryRateLimiter());
        assertEquals(Optional.empty(), a.tryAcquire("unlimited", -1));
        assertEquals(Optional.of(Duration.ofMinutes(1)), a.tryAcquire("closed", 0));
    }

    @Test
    void aRedisThatDoesNotAnswerAtStartLeavesEachNodeItsOwnBuckets() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (Redis nowhere = new Redis(new RedisSettings(URI.create("redis://127.0.0.1:" + closed), 2,
                Duration.ofSeconds(1)))) {
            assertTrue(!nowhere.up());
            SharedRateLimiter a = new SharedRateLimiter(nowhere, new InMemoryRateLimiter());
            SharedRateLimiter b = new SharedRateLimiter(nowhere, new InMemoryRateLimiter());
            for (int i = 0; i < 3; i++) {
                assertEquals(Optional.empty(), a.tryAcquire("alone", 3));
                assertEquals(Optional.empty(), b.tryAcquire("alone", 3), "its own bucket, not the other's");
            }
            assertTrue(a.tryAcquire("alone", 3).isPresent());
        }
    }

    private static String sha() {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(SharedRateLimiter.SCRIPT.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
