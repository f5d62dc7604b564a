/**
 * Tenants, their plans and quotas, their settings, and their API keys (hashed, scoped, expiring, rotatable,
 * revocable). {@link dev.clawless.core.tenant.TenantManagement} is the module's API.
 */
package dev.clawless.core.tenant;
