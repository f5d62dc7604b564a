/**
 * People who run the hub from the browser: accounts with Argon2id passwords and an optional TOTP second factor,
 * their tenants and roles, browser sessions, the single-use links that create the first platform admin, invite
 * members and reset passwords, and teams.
 */
package dev.clawless.core.account;
