package dev.clawless.core.jobs;

import java.time.Instant;
import java.util.Optional;

/**
 * A job to enqueue.
 *
 * @param kind           which handler runs it ({@code assistant_turn}, {@code deliver}, …)
 * @param tenantId       the tenant it works for, if any
 * @param queueKey       jobs with the same key run one at a time, in enqueue order (e.g. a conversation id);
 *                       empty for jobs that may run in any order
 * @param idempotencyKey enqueueing the same key twice yields one job; empty for no dedupe
 * @param payload        the handler's input, JSON text
 * @param runAt          earliest start; empty for now
 * @param maxAttempts    attempts before the job is dead-lettered; empty for the queue's default
 */
public record NewJob(String kind, Optional<String> tenantId, Optional<String> queueKey,
                     Optional<String> idempotencyKey, String payload, Optional<Instant> runAt,
                     Optional<Integer> maxAttempts) {

    /** A job of {@code kind} with {@code payload} and nothing else set. */
    public static NewJob of(String kind, String payload) {
        return new NewJob(kind, Optional.empty(), Optional.empty(), Optional.empty(), payload, Optional.empty(),
                Optional.empty());
    }

    public NewJob withTenant(String id) {
        return new NewJob(kind, Optional.of(id), queueKey, idempotencyKey, payload, runAt, maxAttempts);
    }

    public NewJob inQueue(String key) {
        return new NewJob(kind, tenantId, Optional.of(key), idempotencyKey, payload, runAt, maxAttempts);
    }

    public NewJob once(String key) {
        return new NewJob(kind, tenantId, queueKey, Optional.of(key), payload, runAt, maxAttempts);
    }

    public NewJob at(Instant when) {
        return new NewJob(kind, tenantId, queueKey, idempotencyKey, payload, Optional.of(when), maxAttempts);
    }

    public NewJob attempts(int max) {
        return new NewJob(kind, tenantId, queueKey, idempotencyKey, payload, runAt, Optional.of(max));
    }
}
