package dev.clawless.plugin.api;

/**
 * Something a channel reports: a message (new or edited), or a change in the delivery status of a message the hub
 * sent. {@link ChannelExtension#parse} turns one platform request into zero or more of these.
 */
public sealed interface InboundEvent permits InboundMessage, DeliveryUpdate {

    /** The connection the event arrived on. */
    String connectionId();
}
