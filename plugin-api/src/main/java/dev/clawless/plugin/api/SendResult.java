package dev.clawless.plugin.api;

import java.util.List;
import java.util.Objects;

/**
 * What the platform answered to a send.
 *
 * @param externalMessageIds the platform's ids of the messages it created, in order (several when the text was
 *                           split); status updates refer to them
 * @param status             usually {@link DeliveryStatus#SENT}
 */
public record SendResult(List<String> externalMessageIds, DeliveryStatus status) {

    public SendResult {
        externalMessageIds = List.copyOf(externalMessageIds);
        Objects.requireNonNull(status, "status");
    }
}
