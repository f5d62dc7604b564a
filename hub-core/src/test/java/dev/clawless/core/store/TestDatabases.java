package dev.clawless.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Real databases for tests: a fresh H2 file database, or a fresh database on one embedded PostgreSQL server shared
 * by the whole test JVM (a real {@code postgres} process from Maven-shipped binaries; no install, no Docker).
 */
public final class TestDatabases {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** The engines every repository test runs against. */
    public enum Engine {
        H2, POSTGRESQL
    }

    public static DatabaseConfig config(Engine engine) {
        return engine == Engine.H2 ? h2() : postgresql();
    }

    /** A new, empty H2 file database in PostgreSQL mode, as the embedded hub uses. */
    public static DatabaseConfig h2() {
        try {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "clawless-h2-");
            return new DatabaseConfig(DatabaseConfig.h2FileUrl(dir), "", "", 4, Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new, empty database on the shared embedded PostgreSQL server. */
    public static synchronized DatabaseConfig postgresql() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            }
            String name = "clawless_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return new DatabaseConfig(postgres.getJdbcUrl("postgres", name), "postgres", "", 4, Duration.ofSeconds(5));
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL: " + e.getMessage(), e);
        }
    }
}
