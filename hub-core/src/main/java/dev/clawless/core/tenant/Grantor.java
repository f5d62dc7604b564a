package dev.clawless.core.tenant;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What the caller of a key-management action may hand out or touch. A tenant key can only create, rotate or revoke
 * keys whose scopes it holds itself, and cannot create a key that outlives it; the admin is bounded by nothing.
 *
 * @param scopes    scopes the caller holds
 * @param expiresAt when the caller's own key expires, if it does
 */
public record Grantor(Set<Scope> scopes, Optional<Instant> expiresAt) {

    /** The platform admin. */
    public static final Grantor ADMIN = new Grantor(Scope.all(), Optional.empty());

    public Grantor {
        scopes = Set.copyOf(scopes);
    }

    /** The bounds of a tenant key. */
    public static Grantor of(TenantPrincipal principal) {
        return new Grantor(principal.scopes(), principal.keyExpiresAt());
    }
}
