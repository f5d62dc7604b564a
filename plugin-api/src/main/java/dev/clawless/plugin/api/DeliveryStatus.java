package dev.clawless.plugin.api;

/** Where a message the hub sent is on its way to the recipient. Statuses only move forward. */
public enum DeliveryStatus {
    /** Stored, not yet handed to the platform. */
    PENDING,
    /** Accepted by the platform. */
    SENT,
    /** Reached the recipient's device. */
    DELIVERED,
    /** Seen by the recipient. */
    READ,
    /** The platform gave up; the message carries the error. */
    FAILED
}
