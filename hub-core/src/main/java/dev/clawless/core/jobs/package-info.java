/**
 * The durable job queue: assistant turns, summaries, deliveries and outbound webhooks run as jobs stored in the
 * database, claimed with a lease ({@code FOR UPDATE SKIP LOCKED}), retried with backoff and dead-lettered.
 * {@link dev.clawless.core.jobs.JobQueue} is the module's API.
 */
package dev.clawless.core.jobs;
