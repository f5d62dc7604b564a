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
 *
 * <p>A message held back by the bot's overall rate gets a <em>reserved</em> slot: the next free one is set aside for
 * it and the bot's next free slot moves on, so a thousand waiting replies are each rescheduled once, to their own
 * slot, instead of all waking for the next free slot and all but one being held back again. A reservation is kept
 * {@link #RESERVATION_KEPT} past its slot for the message's return, then given up.
 */
final class SendLimits {

    private static final long SECOND = 1_000_000_000L;
    static final long RESERVATION_KEPT = 60 * SECOND;

    private final Map<String, long[]> nextFree = new ConcurrentHashMap<>();
    /** Message key → its reserved slot (nanoTime). */
    private final Map<String, Long> reserved = new ConcurrentHashMap<>();

    /**
     * Takes a slot for one message from {@code bot} to {@code chat}, or answers how long to wait.
     *
     * @param message the message (part) asking, the same on its return: its reservation is found by it
     * @param group   true for group and supergroup chats
     * @param now     {@link System#nanoTime()}
     */
    Optional<Duration> acquire(String bot, String chat, boolean group, String message, long now) {
        long chatInterval = group ? 3 * SECOND : SECOND; // 20 per minute in groups
        long globalInterval = SECOND / 30;
        long[] global = nextFree.computeIfAbsent(bot, k -> new long[] {0});
        long[] perChat = nextFree.computeIfAbsent(bot + "\u0000" + chat, k -> new long[] {0});
        String key = bot + "\u0000" + message;
        synchronized (global) {
            synchronized (perChat) {
                Long slot = reserved.get(key);
                if (slot != null) {
                    if (now - slot >= 0) {
                        reserved.remove(key);
                        return Optional.empty(); // its own slot, counted when it was reserved
                    }
                    return Optional.of(Duration.ofNanos(slot - now));
                }
                if (perChat[0] - now > 0) {
                    // the chat's own limit: only this chat's messages compete for it, so no reservation
                    return Optional.of(Duration.ofNanos(perChat[0] - now));
                }
                if (global[0] - now > 0) {
                    long at = global[0];
                    global[0] = at + globalInterval;
                    perChat[0] = at + chatInterval;
                    reserved.put(key, at);
                    forgetOld(now);
                    return Optional.of(Duration.ofNanos(at - now));
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

    private void forgetOld(long now) {
        if (reserved.size() > 10_000) {
            reserved.values().removeIf(slot -> now - slot > RESERVATION_KEPT);
        }
    }
}
