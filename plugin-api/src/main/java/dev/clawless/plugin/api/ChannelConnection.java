package dev.clawless.plugin.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One tenant's connection to a platform, as a channel sees it: its validated config and its decrypted secrets.
 * The secrets are never logged: {@link #toString()} masks them.
 *
 * @param id         {@code con_…}
 * @param tenantId   the owning tenant
 * @param type       the channel type
 * @param config     non-secret settings (e.g. {@code api_base_url}, {@code mode})
 * @param secrets    secret settings by name (e.g. {@code bot_token})
 * @param webhookUrl where the platform must send events for this connection
 */
public record ChannelConnection(String id, String tenantId, String type, Map<String, String> config,
                                Map<String, String> secrets, String webhookUrl) {

    public ChannelConnection {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(webhookUrl, "webhookUrl");
        config = Map.copyOf(config);
        secrets = Map.copyOf(secrets);
    }

    public Optional<String> config(String name) {
        return Optional.ofNullable(config.get(name));
    }

    public Optional<String> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public String toString() {
        return "ChannelConnection[id=" + id + ", tenantId=" + tenantId + ", type=" + type + ", config=" + config
                + ", secrets=" + secrets.keySet() + " (values hidden), webhookUrl=" + webhookUrl + "]";
    }
}
