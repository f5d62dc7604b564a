-- A claim walks the queued jobs in id order (jobs_claim_idx) and asks, per candidate, whether an earlier job of its
-- queue key is still queued or running (jobs_pending_idx): neither reads the jobs already done, so a claim costs the
-- same with a million of them. Before, a backlog made PostgreSQL walk the primary key from the oldest (done) job.
CREATE INDEX jobs_claim_idx ON jobs (status, id);
CREATE INDEX jobs_pending_idx ON jobs (queue_key, status, id);
DROP INDEX jobs_queue_idx;
