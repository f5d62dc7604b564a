/**
 * The hub's one composition root: configuration, wiring, the Helidon server and {@link dev.clawless.server.Main}.
 * Nothing depends on this package.
 */
package dev.clawless.server;
