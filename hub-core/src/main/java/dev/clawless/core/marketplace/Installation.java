package dev.clawless.core.marketplace;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tenant's installation of a plugin version.
 *
 * @param id          {@code ins_…}
 * @param tenantId    the tenant
 * @param pluginId    the plugin
 * @param version     the installed version
 * @param enabled     whether its tools and channel types are offered
 * @param config      its validated config
 * @param secretNames the names of the secrets granted to it (values are never returned)
 * @param failure     why the plugin could not be loaded or started, if it could not
 * @param createdAt   installed
 * @param updatedAt   last changed
 */
public record Installation(String id, String tenantId, String pluginId, String version, boolean enabled,
                           JsonNode config, List<String> secretNames, Optional<String> failure, Instant createdAt,
                           Instant updatedAt) {

    public Installation {
        config = config.deepCopy();
        secretNames = List.copyOf(secretNames);
    }

    @Override
    public JsonNode config() {
        return config.deepCopy();
    }

    /** {@code active}, {@code disabled} or {@code failed}. */
    public String status() {
        return !enabled ? "disabled" : failure.isPresent() ? "failed" : "active";
    }
}
