package dev.clawless.channel.telegram;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Telegram's documented send limits, kept per bot so the hub never provokes a 429: about 30 messages per second
 * overall, one per second in a private chat, 20 per minute in a group. A send over a limit is not delayed here (no
 * thread sleeps): the caller learns how long to wait and reschedules. Counts live in this process only; with
 * several hub nodes the platform's own 429 {@code retry_after} is the backstop.
 */
final class SendLimits {

    private static final long SECOND = 1_000_000_000L;

    private final Map<String, long[]> nextFree = new ConcurrentHashMap<>();

    /**
     * Takes a slot for one message from {@code bot} to {@code chat}, or answers how long to wait.
     *
     * @param group true for group and supergroup chats
     * @param now   {@link System#nanoTime()}
     */
    Optional<Duration> acquire(String bot, String chat, boolean group, long now) {
        long chatInterval = group ? 3 * SECOND : SECOND; // 20 per minute in groups
        long globalInterval = SECOND / 30;
        long[] global = nextFree.computeIfAbsent(bot, k -> new long[] {0});
        long[] perChat = nextFree.computeIfAbsent(bot + "\u0000" + chat, k -> new long[] {0});
        synchronized (global) {
            synchronized (perChat) {
                long wait = Math.max(global[0] - now, perChat[0] - now);
                if (wait > 0) {
                    return Optional.of(Duration.ofNanos(wait));
                }
                global[0] = now + globalInterval;
                perChat[0] = now + chatInterval;
                if (nextFree.size() > 100_000) {
                    nextFree.entrySet().removeIf(e -> e.getValue()[0] < now);
                }
                return Optional.empty();
            }
        }
    }
}
