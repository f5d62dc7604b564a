package dev.clawless.channel.telegram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Telegram's send limits, on a clock the test moves. */
class SendLimitsTest {

    private static final long MS = 1_000_000L;

    @Test
    void repliesHeldBackByTheBotsRateEachGetTheirOwnSlotAndAreHeldBackOnce() {
        SendLimits limits = new SendLimits();
        long now = 1_000_000_000L;
        // 90 replies to 90 chats at once: 30 a second, so the last one goes out about 3 s later
        List<Long> sentAt = new ArrayList<>();
        List<Long> due = new ArrayList<>();
        int heldBack = 0;
        for (int i = 0; i < 90; i++) {
            Optional<Duration> wait = limits.acquire("bot", "chat-" + i, false, "msg-" + i, now);
            if (wait.isEmpty()) {
                sentAt.add(now);
            } else {
                heldBack++;
                due.add(now + wait.get().toNanos());
            }
        }
        assertEquals(1, sentAt.size());
        // each comes back when told, and is not held back a second time
        for (int i = 1; i < 90; i++) {
            long back = due.get(i - 1);
            assertEquals(Optional.empty(), limits.acquire("bot", "chat-" + i, false, "msg-" + i, back),
                    "msg-" + i + " at its slot");
            sentAt.add(back);
        }
        assertEquals(89, heldBack);
        for (int i = 1; i < sentAt.size(); i++) {
            assertTrue(sentAt.get(i) - sentAt.get(i - 1) >= 1_000_000_000L / 30, "30 a second at most");
        }
        assertTrue(sentAt.get(89) - now < 3_000 * MS, "the last one within 3 s: " + (sentAt.get(89) - now) / MS);
    }

    @Test
    void aNewcomerQueuesBehindTheReservationsAndAChatKeepsItsOwnLimit() {
        SendLimits limits = new SendLimits();
        long now = 5_000_000_000L;
        assertEquals(Optional.empty(), limits.acquire("bot", "a", false, "m1", now));
        long reserved = limits.acquire("bot", "b", false, "m2", now).orElseThrow().toNanos();
        long newcomer = limits.acquire("bot", "c", false, "m3", now).orElseThrow().toNanos();
        assertTrue(newcomer > reserved, "behind the reservation: " + newcomer + " > " + reserved);
        // the second message to chat a waits for the chat's one-a-second limit
        long sameChat = limits.acquire("bot", "a", false, "m4", now + 100 * MS).orElseThrow().toNanos();
        assertEquals(900 * MS, sameChat);
        // a reserved message that comes back early is told to wait for its slot, not given another
        assertEquals(reserved - 10 * MS, limits.acquire("bot", "b", false, "m2", now + 10 * MS).orElseThrow()
                .toNanos());
    }
}
