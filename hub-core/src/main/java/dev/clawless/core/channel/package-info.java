/**
 * Channels: tenants' connections to platforms (secrets sealed), the inbound webhook and polling paths into the
 * conversation ingest, and outbound delivery with retries, reply windows and dead letters.
 */
package dev.clawless.core.channel;
