package dev.clawless.core.channel;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.plugin.api.ChannelExtension;

/**
 * The channel types the hub can connect: the built-in adapters on the class path, then, per tenant, the types its
 * enabled plugin installations offer. Thread-safe.
 */
public final class ChannelRegistry {

    /** Where a tenant's plugin channel types come from. */
    public interface PluginChannels {
        Optional<ChannelExtension> channel(String tenantId, String type);

        List<String> types(String tenantId);
    }

    private final Map<String, ChannelExtension> channels = new ConcurrentHashMap<>();
    private volatile PluginChannels plugins = new PluginChannels() {
        @Override
        public Optional<ChannelExtension> channel(String tenantId, String type) {
            return Optional.empty();
        }

        @Override
        public List<String> types(String tenantId) {
            return List.of();
        }
    };

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

    /** Lets plugin installations add channel types per tenant. */
    public void plugins(PluginChannels source) {
        this.plugins = source;
    }

    /** The built-in types, which plugins may not take. */
    public java.util.Set<String> builtInTypes() {
        return java.util.Set.copyOf(channels.keySet());
    }

    /** The channel of {@code type} that {@code tenantId} may use. */
    public Optional<ChannelExtension> find(String tenantId, String type) {
        String t = type.toLowerCase(Locale.ROOT);
        ChannelExtension builtIn = channels.get(t);
        return builtIn != null ? Optional.of(builtIn) : plugins.channel(tenantId, t);
    }

    /** Every type a tenant may connect, sorted. */
    public List<String> types(String tenantId) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(channels.keySet());
        all.addAll(plugins.types(tenantId));
        return List.copyOf(all);
    }
}
