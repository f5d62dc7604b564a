package dev.clawless.core.tenant;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An API key as the hub stores it: never the secret, only its SHA-256 (kept in the store, not here).
 *
 * @param id                      {@code key_…}
 * @param tenantId                owning tenant
 * @param name                    what the tenant calls it
 * @param scopes                  what it may do
 * @param hint                    the secret's last four characters, to tell keys apart
 * @param expiresAt               when it stops working, if ever
 * @param revokedAt               when it was revoked, if it was
 * @param rotatedAt               when its secret last changed, if it did
 * @param previousSecretExpiresAt until when the secret before the last rotation still works
 * @param createdAt               creation time
 */
public record ApiKey(String id, String tenantId, String name, Set<Scope> scopes, String hint,
                     Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> rotatedAt,
                     Optional<Instant> previousSecretExpiresAt, Instant createdAt) {

    public ApiKey {
        scopes = Set.copyOf(scopes);
    }

    /** {@code active}, {@code expired} or {@code revoked} at {@code now}. */
    public String status(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        if (expiresAt.isPresent() && !now.isBefore(expiresAt.get())) {
            return "expired";
        }
        return "active";
    }
}
