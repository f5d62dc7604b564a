package dev.clawless.core.jobs;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored job.
 *
 * @param id          sequence number (enqueue order)
 * @param kind        handler kind
 * @param tenantId    tenant, if any
 * @param queueKey    ordering key, if any
 * @param payload     handler input (JSON text)
 * @param status      current status
 * @param attempts    attempts started so far (the running one included)
 * @param maxAttempts attempts allowed
 * @param runAt       earliest next start
 * @param lockedBy    the lease holder's token, while running
 * @param lastError   the last failure, if any
 */
public record Job(long id, String kind, Optional<String> tenantId, Optional<String> queueKey, String payload,
                  JobStatus status, int attempts, int maxAttempts, Instant runAt, Optional<String> lockedBy,
                  Optional<String> lastError, Optional<String> traceParent) {
}
