/**
 * Security primitives and the append-only audit log of security-relevant actions (admin calls, keys, and later
 * connections, plugins and approvals).
 */
package dev.clawless.core.security;
