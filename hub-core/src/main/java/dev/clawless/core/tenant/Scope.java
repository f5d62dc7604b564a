package dev.clawless.core.tenant;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What an API key may do. Every {@code /v1} route names the scope it needs. */
public enum Scope {
    CHAT("chat"),
    CONVERSATIONS_READ("conversations:read"),
    CONVERSATIONS_WRITE("conversations:write"),
    CHANNELS_ADMIN("channels:admin"),
    PLUGINS_ADMIN("plugins:admin"),
    USAGE_READ("usage:read"),
    /** Change the tenant's own settings ({@code PATCH /v1/tenant}). */
    TENANT_ADMIN("tenant:admin"),
    /** Create, rotate and revoke the tenant's API keys. */
    KEYS_ADMIN("keys:admin"),
    /** Add, list, delete and search knowledge documents. */
    KNOWLEDGE_ADMIN("knowledge:admin"),
    /** Manage outbound webhooks and read their deliveries. */
    WEBHOOKS_ADMIN("webhooks:admin"),
    /** Invite and remove the tenant's members and change their roles (a member needs the owner role). */
    MEMBERS_ADMIN("members:admin");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    /** The name used in the API and the database. */
    public String wire() {
        return wire;
    }

    public static Optional<Scope> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst();
    }

    /** Every scope, in declaration order. */
    public static Set<Scope> all() {
        return EnumSet.allOf(Scope.class);
    }
}
