package dev.clawless.core.channel;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.plugin.api.ChannelExtension;

/**
 * The channel types the hub can connect: the built-in adapters on the class path. Thread-safe.
 */
public final class ChannelRegistry {

    private final Map<String, ChannelExtension> channels = new ConcurrentHashMap<>();

    public ChannelRegistry(List<? extends ChannelExtension> builtIn) {
        builtIn.forEach(this::register);
    }

    /** Adds a channel type; its type must be new, lower case, and not the API channel's. */
    public void register(ChannelExtension channel) {
        String type = channel.type();
        if (!type.matches("[a-z][a-z0-9_-]{1,39}") || type.equals(ConversationManagement.API_CONNECTION)) {
            throw new IllegalArgumentException("invalid channel type '" + type + "'");
        }
        if (channels.putIfAbsent(type, channel) != null) {
            throw new IllegalArgumentException("channel type '" + type + "' is registered twice");
        }
    }

    /** The channel of {@code type} that {@code tenantId} may use. */
    public Optional<ChannelExtension> find(String tenantId, String type) {
        return Optional.ofNullable(channels.get(type.toLowerCase(Locale.ROOT)));
    }

    /** Every type a tenant may connect, sorted. */
    public List<String> types(String tenantId) {
        return channels.keySet().stream().sorted().toList();
    }
}
