package dev.clawless.core.jobs;

/**
 * Runs jobs of one kind. Delivery is at least once: a job whose worker dies is run again after its lease ends, so a
 * handler must be idempotent (e.g. look for its own earlier result by a key derived from the job before writing).
 *
 * <p>Threading: called from many virtual threads at once, for different jobs; never twice at once for the same job
 * while its lease holds, and never at once for two jobs of the same queue key.
 */
@FunctionalInterface
public interface JobHandler {

    /**
     * Runs the job. Returning completes it; throwing {@link RetryLater} reschedules it for the given time; any other
     * exception is a failed attempt (retried with backoff, dead-lettered after the last).
     */
    void handle(Job job) throws Exception;
}
