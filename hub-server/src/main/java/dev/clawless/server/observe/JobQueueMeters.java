package dev.clawless.server.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.store.Database;

/**
 * The job queue as gauges, sampled from the database every {@link #EVERY} on a thread of its own — jobs queued,
 * running and dead per kind, and per kind how long the longest-waiting due job has waited — so that a scrape reads
 * the last sample and never waits for the database (nor takes a connection requests need).
 */
public final class JobQueueMeters implements AutoCloseable {

    static final Duration EVERY = Duration.ofSeconds(15);
    private static final Logger LOG = Logger.getLogger(JobQueueMeters.class.getName());

    private final JobQueue queue;
    private final java.util.Set<String> kinds;
    private final MultiGauge jobs;
    private final MultiGauge age;
    private volatile Thread sampler;

    /** @param kinds the job kinds this node runs: each has its series from the start, at 0 while it has no jobs */
    public JobQueueMeters(JobQueue queue, java.util.Set<String> kinds, MeterRegistry registry) {
        this.queue = queue;
        this.kinds = java.util.Set.copyOf(kinds);
        this.jobs = MultiGauge.builder("clawless.jobs").description("Jobs by status (queued, running, dead) and kind,"
                + " sampled every 15 s").register(registry);
        this.age = MultiGauge.builder("clawless.jobs.due.age").baseUnit("seconds").description("How long the"
                + " longest-waiting due job of each kind has waited, sampled every 15 s").register(registry);
    }

    public void start() {
        sampler = Thread.ofVirtual().name("clawless-job-meters").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                    Thread.sleep(EVERY);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Reads the queue once; while the database is down the last sample stays. */
    void sample() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (Map.Entry<String, Map<String, Long>> status : queue.counts().entrySet()) {
                java.util.Set<String> all = new java.util.TreeSet<>(kinds);
                all.addAll(status.getValue().keySet());
                for (String kind : all) {
                    rows.add(MultiGauge.Row.of(Tags.of("status", status.getKey(), "kind", kind),
                            status.getValue().getOrDefault(kind, 0L)));
                }
            }
            jobs.register(rows, true);
            Map<String, Duration> waited = queue.dueAge();
            java.util.Set<String> all = new java.util.TreeSet<>(kinds);
            all.addAll(waited.keySet());
            List<MultiGauge.Row<?>> ages = new ArrayList<>();
            for (String kind : all) {
                ages.add(MultiGauge.Row.of(Tags.of("kind", kind),
                        waited.getOrDefault(kind, Duration.ZERO).toMillis() / 1000.0));
            }
            age.register(ages, true);
        } catch (RuntimeException e) {
            if (!Database.isUnavailable(e)) {
                LOG.log(Level.WARNING, "the job queue could not be sampled for /metrics", e);
            }
        }
    }

    @Override
    public void close() {
        Thread t = sampler;
        if (t != null) {
            t.interrupt();
        }
    }
}
