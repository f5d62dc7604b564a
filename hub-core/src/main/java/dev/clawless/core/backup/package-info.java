/**
 * Backups of a whole hub and their restore: a consistent snapshot of every table as portable JSON lines (an H2
 * backup restores into PostgreSQL and back), the plugin store's JARs, and a manifest with the schema version and a
 * SHA-256 of every file, in one ZIP archive that only appears under its name once complete. Secrets stay sealed under
 * the master key, which is never in a backup.
 */
package dev.clawless.core.backup;
