/**
 * Usage: tokens, messages and estimated cost per tenant and month, monthly quotas checked before a model is called,
 * and request rate limits. {@link dev.clawless.core.usage.UsageMeter} is the module's API.
 */
package dev.clawless.core.usage;
