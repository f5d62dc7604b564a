/** Log output: every record (the hub's, Helidon's, Hikari's, Flyway's) as one JSON object per line, or plain text. */
package dev.clawless.server.logging;
