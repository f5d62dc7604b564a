/**
 * Events leaving the hub: tenants' webhook subscriptions, fan-out of each conversation event to them in the same
 * transaction as the event, and signed delivery as retried jobs with a delivery log.
 * {@link dev.clawless.core.events.Webhooks} is the module's API.
 */
package dev.clawless.core.events;
