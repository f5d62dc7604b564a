/**
 * Reports: a tenant's activity per UTC day — conversations, messages by channel, resolutions, response times, CSAT,
 * tokens and cost — read from what the other modules store. {@link dev.clawless.core.report.Reports} is the module's
 * API.
 */
package dev.clawless.core.report;
