-- The W3C trace context (traceparent) of the work that queued a job or logged an inbound event, so that a message's
-- path — the webhook, the turn, the delivery — is one trace when tracing is configured (clawless.tracing.*).
ALTER TABLE jobs ADD COLUMN trace_parent VARCHAR(64);
ALTER TABLE inbound_log ADD COLUMN trace_parent VARCHAR(64);
