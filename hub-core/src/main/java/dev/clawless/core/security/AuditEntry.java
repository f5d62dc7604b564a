package dev.clawless.core.security;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One recorded security-relevant action. Entries are never changed or removed.
 *
 * @param id         sequence number, increasing in the order of recording
 * @param occurredAt when it was recorded
 * @param actor      {@code admin} or the acting API key's id
 * @param tenantId   the tenant it concerns, if any
 * @param action     dotted verb, e.g. {@code api_key.rotated}
 * @param targetId   the id of what was acted on, if any
 * @param requestId  the request that did it
 * @param details    non-secret facts of the action (names, scopes, statuses); never secrets or key material
 */
public record AuditEntry(long id, Instant occurredAt, String actor, Optional<String> tenantId, String action,
                         Optional<String> targetId, Optional<String> requestId, Map<String, Object> details) {

    public AuditEntry {
        details = Map.copyOf(details);
    }
}
