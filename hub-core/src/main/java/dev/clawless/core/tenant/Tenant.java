package dev.clawless.core.tenant;

import java.time.Instant;

/**
 * A customer of the hub; everything it owns carries its id.
 *
 * @param id        {@code ten_…}
 * @param name      display name
 * @param plan      plan name
 * @param status    active or suspended
 * @param overrides quotas set for this tenant, over its plan's
 * @param settings  its own settings
 * @param createdAt creation time
 * @param updatedAt last change
 */
public record Tenant(String id, String name, String plan, TenantStatus status, QuotaOverrides overrides,
                     TenantSettings settings, Instant createdAt, Instant updatedAt) {
}
