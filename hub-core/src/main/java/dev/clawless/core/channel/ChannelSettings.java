package dev.clawless.core.channel;

import java.time.Duration;

/**
 * How channels run.
 *
 * @param inboundPerMinute  webhook requests one tenant may send in per minute, all connections together (−1: no
 *                          limit); over it the hub answers 429 and the platform retries later
 * @param deliveryAttempts  attempts of one outbound message before it is dead-lettered (a platform's rate limit, 429,
 *                          delays a delivery without spending an attempt)
 * @param deliveryMaxAge    how long after it was written an outbound message may still be sent: a delivery that is
 *                          rate-limited or failing for longer is marked failed
 * @param pollWait          how long one poll may wait for news (Telegram long polling, IMAP IDLE)
 * @param pollBackoffMax    longest pause after failed polls
 * @param maxConnections    connections one tenant may have
 * @param widgetMessagesPerMinute messages one widget visitor may send per minute
 * @param widgetSessionsPerMinute widget sessions one client address may open per minute
 * @param acksFirst         the longest a burst of webhooks makes a node hold back deriving them and claiming jobs, so
 *                          that acknowledging gets the machine, and the hold time it may save up
 *                          ({@code dev.clawless.core.conversation.AcksFirst}); zero: never
 */
public record ChannelSettings(long inboundPerMinute, int deliveryAttempts, Duration deliveryMaxAge, Duration pollWait,
                              Duration pollBackoffMax, int maxConnections, long widgetMessagesPerMinute,
                              long widgetSessionsPerMinute, Duration acksFirst) {

    public static final ChannelSettings DEFAULT = new ChannelSettings(1200, 10, Duration.ofHours(24),
            Duration.ofSeconds(25), Duration.ofMinutes(5), 50, 20, 30, Duration.ofSeconds(10));
}
