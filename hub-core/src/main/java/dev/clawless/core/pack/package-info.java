/**
 * Context packs: a tenant's knowledge, intents, modes, lead form and assistant settings as one versioned file,
 * exported from one tenant and imported into another (docs/context-packs.md).
 */
package dev.clawless.core.pack;
