package dev.clawless.core.account;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.clawless.core.tenant.Scope;

/**
 * What a member may do in a tenant. Each role is a set of API scopes, so people and keys share one permission model:
 * an agent works conversations, an admin also manages the tenant's settings, an owner also manages its members.
 */
public enum Role {
    OWNER, ADMIN, AGENT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String value) {
        for (Role r : values()) {
            if (r.wire().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The scopes a member of this role holds. */
    public Set<Scope> scopes() {
        return switch (this) {
            case AGENT -> EnumSet.of(Scope.CHAT, Scope.CONVERSATIONS_READ, Scope.CONVERSATIONS_WRITE);
            case ADMIN -> {
                EnumSet<Scope> all = EnumSet.allOf(Scope.class);
                all.remove(Scope.MEMBERS_ADMIN);
                yield all;
            }
            case OWNER -> EnumSet.allOf(Scope.class);
        };
    }
}
