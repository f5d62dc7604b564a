/**
 * Persistence plumbing shared by the modules: the database (H2 embedded or PostgreSQL), its connection pool, the
 * Flyway migrations, transactions and column conversions. Modules keep their own stores in their {@code internal}
 * packages and reach the database only through {@link dev.clawless.core.store.Database}.
 */
package dev.clawless.core.store;
