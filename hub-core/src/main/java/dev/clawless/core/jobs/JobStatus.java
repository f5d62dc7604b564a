package dev.clawless.core.jobs;

/** Where a job is in its life. */
public enum JobStatus {
    /** Waiting for its {@code runAt}, or for an earlier job of its queue key. */
    QUEUED,
    /** Claimed by a worker until its lease ends; a lease that ends without completion makes it claimable again. */
    RUNNING,
    /** Finished. */
    DONE,
    /** Failed its last allowed attempt; {@code lastError} says why. */
    DEAD
}
