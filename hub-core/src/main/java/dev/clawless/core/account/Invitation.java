package dev.clawless.core.account;

import java.time.Instant;

/**
 * An invitation to join a tenant.
 *
 * @param id           {@code lnk_…}
 * @param tenantId     the tenant
 * @param tenantName   its name
 * @param email        who is invited
 * @param role         the role they get
 * @param expiresAt    when the link stops working
 * @param createdAt    when it was made
 */
public record Invitation(String id, String tenantId, String tenantName, String email, Role role, Instant expiresAt,
                         Instant createdAt) {
}
