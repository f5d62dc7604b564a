package dev.clawless.core.tenant;

import java.util.Set;

/**
 * The tenant and scopes an API key resolved to, once per request.
 *
 * @param tenant the key's tenant (active)
 * @param keyId  the key's id
 * @param scopes the key's scopes
 */
public record TenantPrincipal(Tenant tenant, String keyId, Set<Scope> scopes) {

    public TenantPrincipal {
        scopes = Set.copyOf(scopes);
    }

    public String tenantId() {
        return tenant.id();
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }
}
