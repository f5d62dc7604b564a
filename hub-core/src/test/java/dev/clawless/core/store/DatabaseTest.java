package dev.clawless.core.store;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.store.TestDatabases.Engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest {

    @ParameterizedTest
    @EnumSource(Engine.class)
    void migrationsCreateTheSchemaAndTheDatabaseAnswers(Engine engine) {
        try (Database db = Database.open(TestDatabases.config(engine))) {
            assertTrue(db.isReady());
            List<String> tables = db.execute()
                    .query("SELECT LOWER(table_name) FROM information_schema.tables WHERE LOWER(table_name) IN"
                            + " ('tenants', 'api_keys', 'audit_log', 'flyway_schema_history')")
                    .map(r -> r.column(1).get(String.class)).sorted().toList();
            assertEquals(List.of("api_keys", "audit_log", "flyway_schema_history", "tenants"), tables);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void reopeningAMigratedDatabaseMigratesNothingAgain(Engine engine) {
        DatabaseConfig config = TestDatabases.config(engine);
        try (Database db = Database.open(config)) {
            assertTrue(db.isReady());
        }
        try (Database db = Database.open(config)) {
            long applied = db.execute().query("SELECT COUNT(*) FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL")
                    .map(r -> ((Number) r.column(1).get()).longValue()).findFirst().orElseThrow();
            assertEquals(applied, countMigrationFiles());
        }
    }

    @org.junit.jupiter.api.Test
    void afterCommitRunsOncePerCommittedTransactionAndNeverForARolledBackOne() {
        try (Database db = Database.open(TestDatabases.h2())) {
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean committedFirst = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable told = runs::incrementAndGet;
            db.inTransaction(tx -> {
                tx.insert("INSERT INTO audit_log (occurred_at, actor, action, details) VALUES (?, 'admin', 'x', '{}')",
                        Database.timestamp(java.time.Instant.now()));
                db.afterCommit(told);
                db.afterCommit(told);
                db.afterCommit(() -> committedFirst.set(db.execute().query("SELECT COUNT(*) FROM audit_log")
                        .map(r -> ((Number) r.column(1).get()).longValue()).findFirst().orElseThrow() == 1));
                assertEquals(0, runs.get(), "not before the commit");
                return null;
            });
            assertEquals(1, runs.get(), "once per transaction");
            assertTrue(committedFirst.get(), "another connection sees the row when it runs");
            assertThrows(IllegalStateException.class, () -> db.inTransaction(tx -> {
                db.afterCommit(told);
                throw new IllegalStateException("boom");
            }));
            assertEquals(1, runs.get(), "not after a rollback");
            db.afterCommit(told);
            assertEquals(2, runs.get(), "at once outside a transaction");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFailedTransactionLeavesNothingBehind(Engine engine) {
        try (Database db = Database.open(TestDatabases.config(engine))) {
            assertThrows(IllegalStateException.class, () -> db.inTransaction(tx -> {
                tx.insert("INSERT INTO audit_log (occurred_at, actor, action, details) VALUES (?, 'admin', 'x', '{}')",
                        Database.timestamp(java.time.Instant.now()));
                throw new IllegalStateException("boom");
            }));
            long rows = db.execute().query("SELECT COUNT(*) FROM audit_log")
                    .map(r -> ((Number) r.column(1).get()).longValue()).findFirst().orElseThrow();
            assertEquals(0, rows);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void closedDatabaseIsNotReady(Engine engine) {
        Database db = Database.open(TestDatabases.config(engine));
        db.close();
        assertFalse(db.isReady());
    }

    @org.junit.jupiter.api.Test
    void unreachableDatabaseFailsWithTheUrlAndNoPassword() {
        DatabaseConfig config = new DatabaseConfig("jdbc:postgresql://127.0.0.1:1/nothing?password=hunter2",
                "someone", "hunter2", 2, java.time.Duration.ofMillis(300));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.open(config));
        assertTrue(e.getMessage().contains("jdbc:postgresql://127.0.0.1:1/nothing"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void safeUrlsHideEveryFormOfCredential() {
        for (String url : List.of("jdbc:postgresql://bob:hunter2@db:5432/x", "jdbc:h2:mem:x;USER=sa;PASSWORD=hunter2",
                "jdbc:postgresql://db/x?user=bob&password=hunter2", "jdbc:h2:file:/d;password = hunter2")) {
            String safe = DatabaseConfig.mask(url);
            assertFalse(safe.contains("hunter2"), safe);
            assertFalse(safe.contains("bob"), safe);
        }
        assertEquals("jdbc:postgresql://db:5432/clawless", DatabaseConfig.mask("jdbc:postgresql://db:5432/clawless"));
    }

    private static long countMigrationFiles() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sql")).count();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * With an ingest pool, work run through {@link Database#ingest} gets a connection while every connection of the
     * main pool is held (job workers in long transactions); without one it waits for the main pool.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void ingestWorkDoesNotWaitForTheMainPool(Engine engine) throws Exception {
        DatabaseConfig base = TestDatabases.config(engine);
        // Flyway needs two connections to migrate, so the main pool has two, both held below
        DatabaseConfig config = new DatabaseConfig(base.url(), base.username(), base.password(), 2,
                java.time.Duration.ofMillis(500), 1);
        try (Database db = Database.open(config)) {
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(2);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<Thread> workers = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                workers.add(Thread.ofVirtual().start(() -> db.inTransaction(tx -> {
                    tx.query("SELECT 1").toList();
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                })));
            }
            assertTrue(holding.await(10, java.util.concurrent.TimeUnit.SECONDS));
            try {
                // every connection of the main pool is held: outside ingest, no connection within the timeout
                assertThrows(RuntimeException.class, () -> db.execute().query("SELECT 1").toList());
                long answered = db.ingest(() -> db.inTransaction(tx -> tx.query("SELECT 1").toList().size()));
                assertEquals(1, answered);
                assertEquals(1, (long) db.ingest(() -> db.execute().query("SELECT 1").toList().size()));
            } finally {
                release.countDown();
                for (Thread w : workers) {
                    w.join();
                }
            }
        }
    }
}
