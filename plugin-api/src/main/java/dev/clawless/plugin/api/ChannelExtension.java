package dev.clawless.plugin.api;

import java.util.List;

import org.pf4j.ExtensionPoint;

/**
 * A channel: how the hub talks to one platform. Built-in channels (Telegram, WhatsApp, e-mail, GitHub, WebChat) and
 * plugin channels implement the same contract. The hub never gives a channel the database, and core never sees a
 * platform's payload: everything crosses as the records of this package.
 *
 * <p>Threading: one instance serves every connection of its type and is called from many virtual threads at once;
 * implementations keep no per-request state in fields.
 */
public interface ChannelExtension extends ExtensionPoint {

    /** The channel type, lower case ({@code telegram}); unique among installed channels. */
    String type();

    /** The connection config this channel accepts and the secrets it needs. */
    ConfigSchema configSchema();

    /**
     * Checks that a webhook request really comes from the platform, over the raw bytes, in constant time. Called
     * before {@link #parse}.
     *
     * @throws ChannelException.Unverified when the signature or secret is missing, wrong or replayed
     */
    void verify(InboundRequest request, ChannelConnection connection);

    /**
     * Turns a verified request into events. Events the hub should ignore (the bot's own echoes, unsupported updates)
     * are left out, so an empty list is a normal answer.
     *
     * @throws ChannelException.Malformed when the payload cannot be understood
     */
    List<InboundEvent> parse(InboundRequest request, ChannelConnection connection);

    /**
     * Sends a message through the platform. Called from the delivery job, which retries on
     * {@link ChannelException.SendFailed#retryable()} failures, honouring {@code retryAfter}; implementations never
     * sleep to wait for a rate limit.
     *
     * @throws ChannelException.SendFailed when the platform refuses or cannot be reached
     */
    SendResult send(OutboundMessage message, ChannelConnection connection);
}
