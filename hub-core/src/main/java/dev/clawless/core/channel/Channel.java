package dev.clawless.core.channel;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tenant's connection to a platform, as the API shows it: never its secrets' values.
 *
 * @param id          {@code con_…}
 * @param tenantId    owner
 * @param type        channel type
 * @param name        the tenant's name for it
 * @param config      its non-secret settings (a copy)
 * @param secretNames names of the secrets it holds
 * @param enabled     false while disabled: webhooks answer 404, nothing is polled or sent
 * @param webhookUrl  where the platform must send events
 * @param pollError   the last polling failure, for pulling channels
 * @param createdAt   created
 * @param updatedAt   last changed
 */
public record Channel(String id, String tenantId, String type, String name, JsonNode config,
                      List<String> secretNames, boolean enabled, String webhookUrl, Optional<String> pollError,
                      Instant createdAt, Instant updatedAt) {

    public Channel {
        config = config.deepCopy();
        secretNames = List.copyOf(secretNames);
    }

    @Override
    public JsonNode config() {
        return config.deepCopy();
    }
}
