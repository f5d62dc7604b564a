package dev.clawless.core.jobs;

import java.time.Duration;

/**
 * How jobs are run.
 *
 * @param workers      jobs one node runs at once (each on its own virtual thread)
 * @param lease        how long a claim holds before another worker may take the job over; renewed while the job
 *                     runs
 * @param pollInterval how often an idle worker looks for due jobs
 * @param maxAttempts  attempts before a job is dead-lettered, unless it says otherwise
 * @param backoffBase  delay after the first failed attempt; doubles each attempt, with jitter
 * @param backoffMax   longest delay between attempts
 */
public record JobConfig(int workers, Duration lease, Duration pollInterval, int maxAttempts, Duration backoffBase,
                        Duration backoffMax) {

    public static final JobConfig DEFAULT = new JobConfig(16, Duration.ofSeconds(60), Duration.ofMillis(250), 8,
            Duration.ofSeconds(2), Duration.ofMinutes(15));
}
