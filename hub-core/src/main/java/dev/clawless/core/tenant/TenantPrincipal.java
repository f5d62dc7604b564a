package dev.clawless.core.tenant;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The tenant and scopes an API key resolved to, once per request.
 *
 * @param tenant             the key's tenant (active)
 * @param keyId              the key's id, or for a person's browser session their user id ({@code usr_…})
 * @param scopes             the key's scopes
 * @param keyExpiresAt       when the key expires, if it does
 * @param viaPreviousSecret  true when the key was presented with the secret it had before its last rotation (still
 *                           in its grace period): good for calling the API, not for managing keys
 */
public record TenantPrincipal(Tenant tenant, String keyId, Set<Scope> scopes, Optional<Instant> keyExpiresAt,
                              boolean viaPreviousSecret) {

    public TenantPrincipal {
        scopes = Set.copyOf(scopes);
    }

    public String tenantId() {
        return tenant.id();
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /** A person acting in a tenant through a browser session, with the scopes of their role. */
    public static TenantPrincipal person(Tenant tenant, String userId, Set<Scope> scopes) {
        return new TenantPrincipal(tenant, userId, scopes, Optional.empty(), false);
    }

    /** True when a person (not an API key) is acting. */
    public boolean isPerson() {
        return keyId.startsWith("usr_");
    }
}
