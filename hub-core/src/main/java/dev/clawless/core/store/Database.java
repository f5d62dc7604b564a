package dev.clawless.core.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Function;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbColumn;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcParametersConfig;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;
import org.flywaydb.core.Flyway;

import dev.clawless.core.store.DatabaseConfig.Vendor;

/**
 * The hub's database: a Helidon {@link DbClient} over a Hikari pool, migrated by Flyway when opened. One instance per
 * process; thread-safe. The same migrations run on H2 and PostgreSQL.
 *
 * <p>The pool is created here rather than by Helidon's Hikari provider because Helidon 4.0's {@code DbClient} offers
 * no way to close the pool it creates; the hub must release connections on shutdown and in tests.
 */
public final class Database implements AutoCloseable {

    private final DatabaseConfig config;
    private final HikariDataSource dataSource;
    /** The pool of {@link #ingest} work, or null when it shares {@link #dataSource}. */
    private final HikariDataSource ingestSource;
    private final DbClient client;
    private final java.util.concurrent.atomic.LongAdder statements;
    private volatile String product;
    /** True on a thread while it runs {@link #ingest} work: its statements take the ingest pool's connections. */
    private static final ThreadLocal<Boolean> INGESTING = ThreadLocal.withInitial(() -> false);
    /** What to run once the transaction this thread runs in {@link #inTransaction} commits; null outside one. */
    private static final ThreadLocal<java.util.List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();

    private Database(DatabaseConfig config, HikariDataSource dataSource, HikariDataSource ingestSource,
                     DbClient client, java.util.concurrent.atomic.LongAdder statements) {
        this.config = config;
        this.dataSource = dataSource;
        this.ingestSource = ingestSource;
        this.client = client;
        this.statements = statements;
    }

    /**
     * How many statements the hub has sent through this database since it opened (queries, inserts, updates; not
     * commits or migrations): {@code clawless_db_statements_total}, the figure that shows what idle work costs.
     */
    public long statements() {
        return statements.sum();
    }

    /**
     * Runs the acknowledgement of a platform's webhook: every statement {@code work} runs on this thread takes its
     * connection from the ingest pool ({@code clawless.db.ingest-pool-size}), so job workers holding the main pool's
     * connections cannot make a webhook wait for one. Without an ingest pool, just runs {@code work}.
     */
    public <T> T ingest(java.util.function.Supplier<T> work) {
        if (ingestSource == null || INGESTING.get()) {
            return work.get();
        }
        INGESTING.set(true);
        try {
            return work.get();
        } finally {
            INGESTING.set(false);
        }
    }

    private static HikariDataSource pool(DatabaseConfig config, String name, int size) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        if (!config.username().isEmpty()) {
            hikari.setUsername(config.username());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        hikari.setPoolName(name);
        hikari.setMaximumPoolSize(size);
        hikari.setConnectionTimeout(Math.max(250, config.connectTimeout().toMillis()));
        hikari.setInitializationFailTimeout(Math.max(1, config.connectTimeout().toMillis()));
        return new HikariDataSource(hikari);
    }

    /**
     * Opens the pool and brings the schema up to date.
     *
     * @throws IllegalStateException when the database cannot be reached or migrated (the message names the URL
     *                               without credentials)
     */
    public static Database open(DatabaseConfig config) {
        return open(config, true);
    }

    /**
     * Opens the pool; with {@code migrate}, brings the schema up to date first (every start does), without, leaves it
     * as it is (a backup taken with a newer hub's command must not upgrade the schema the running nodes use).
     */
    public static Database open(DatabaseConfig config, boolean migrate) {
        HikariDataSource dataSource;
        try {
            dataSource = pool(config, "clawless", config.poolSize());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to database " + config.safeUrl() + ": " + rootMessage(e), e);
        }
        if (config.vendor() == Vendor.H2) {
            // an acknowledged message must be in the file when its transaction returns, also for an H2 URL written
            // by hand: H2 otherwise writes commits up to 500 ms later, and a kill -9 loses them
            try (Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
                s.execute("SET WRITE_DELAY 0");
            } catch (SQLException e) {
                dataSource.close();
                throw new IllegalStateException("cannot configure database " + config.safeUrl() + ": "
                        + rootMessage(e), e);
            }
        }
        try {
            if (migrate) {
                flyway(dataSource, Optional.empty()).migrate();
            }
        } catch (RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException("cannot migrate database " + config.safeUrl() + ": " + rootMessage(e), e);
        }
        HikariDataSource ingestSource = null;
        if (config.ingestPoolSize() > 0) {
            try {
                ingestSource = pool(config, "clawless-ingest", config.ingestPoolSize());
            } catch (RuntimeException e) {
                dataSource.close();
                throw new IllegalStateException("cannot connect to database " + config.safeUrl() + ": "
                        + rootMessage(e), e);
            }
        }
        HikariDataSource ingest = ingestSource;
        String dbType = config.vendor() == Vendor.H2 ? "h2" : "postgresql";
        JdbcConnectionPool pool = new JdbcConnectionPool() {
            @Override
            public Connection connection() {
                try {
                    return ingest != null && INGESTING.get() ? ingest.getConnection() : dataSource.getConnection();
                } catch (SQLException e) {
                    throw new IllegalStateException("no database connection: " + e.getMessage(), e);
                }
            }

            @Override
            public String dbType() {
                return dbType;
            }
        };
        java.util.concurrent.atomic.LongAdder statements = new java.util.concurrent.atomic.LongAdder();
        // strings and byte arrays bound as values, however long: Helidon's default binds a string over 1,024 characters
        // as a character stream, which H2 first writes to its LOB storage (a CLOB in the database file) and then
        // reads back to store in the VARCHAR column — a profile of H2 webhook ingest found that in every long row
        // (docs/benchmarks.md, "Webhook ingest"). Both drivers take setString/setBytes of any length.
        JdbcParametersConfig parameters = JdbcParametersConfig.builder().useStringBinding(false)
                .useByteArrayBinding(false).build();
        DbClient client = JdbcClientBuilder.create().connectionPool(pool).parametersSetter(parameters)
                .addService(statement -> {
                    statements.increment();
                    return statement;
                }).build();
        return new Database(config, dataSource, ingestSource, client, statements);
    }

    /**
     * Reports both pools' connections (active, idle, pending, the time to get one, timeouts) on {@code registry}, as
     * Hikari's own Micrometer meters ({@code hikaricp_connections_*}, tagged with the pool's name).
     */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        dataSource.setMetricRegistry(registry);
        if (ingestSource != null) {
            ingestSource.setMetricRegistry(registry);
        }
    }

    /** This build's migrations over {@code dataSource}, up to {@code target} or all of them. */
    private static Flyway flyway(javax.sql.DataSource dataSource, Optional<String> target) {
        var configure = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
        target.ifPresent(configure::target);
        return configure.load();
    }

    /** The newest version among the migrations this build knows. */
    private static String newest(org.flywaydb.core.api.MigrationInfoService info) {
        return java.util.Arrays.stream(info.all()).map(i -> i.getVersion()).filter(java.util.Objects::nonNull)
                .max(java.util.Comparator.naturalOrder()).map(Object::toString).orElse("0");
    }

    /** Work on a plain JDBC connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException, java.io.IOException;
    }

    /**
     * Runs {@code work} on a connection of its own (not the pool's) in a read-only transaction that sees one
     * consistent snapshot of the whole database while others write: PostgreSQL's {@code REPEATABLE READ}, H2's
     * {@code SNAPSHOT}. For a backup of a serving hub.
     */
    public <T> T inSnapshot(SqlWork<T> work) throws SQLException, java.io.IOException {
        try (Connection c = java.sql.DriverManager.getConnection(config.url(), config.username(), config.password())) {
            c.setAutoCommit(false);
            if (config.vendor() == Vendor.H2) {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SNAPSHOT");
                }
            } else {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            try {
                return work.apply(c);
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * Creates or migrates the schema of {@code config}'s database to {@code version} exactly (not further), on a
     * connection of its own; for a restore, which loads a backup's rows into the schema they were taken from.
     *
     * @return the newest version this build's migrations know
     */
    public static String migrateTo(DatabaseConfig config, String version) {
        try (HikariDataSource dataSource = pool(config, "clawless-restore", 2)) {
            Flyway flyway = flyway(dataSource, Optional.of(version));
            flyway.migrate();
            return newest(flyway.info());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot migrate database " + config.safeUrl() + " to version " + version
                    + ": " + rootMessage(e), e);
        }
    }

    /**
     * The newest version this build's migrations know, and the version {@code config}'s database is at ("0" for none),
     * without changing it.
     */
    public static String[] versions(DatabaseConfig config) {
        try (HikariDataSource dataSource = pool(config, "clawless-restore", 2)) {
            org.flywaydb.core.api.MigrationInfoService info = flyway(dataSource, Optional.empty()).info();
            String current = info.current() == null || info.current().getVersion() == null ? "0"
                    : info.current().getVersion().toString();
            return new String[] {newest(info), current};
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the schema of " + config.safeUrl() + ": " + rootMessage(e), e);
        }
    }

    /** The version of the newest migration applied to this database (its schema version), e.g. {@code "23"}. */
    public String schemaVersion() {
        return execute().createQuery("SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS"
                        + " NOT NULL ORDER BY installed_rank DESC").execute()
                .map(r -> r.column(1).get(String.class)).findFirst().orElse("none");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public Vendor vendor() {
        return config.vendor();
    }

    /** Runs statements outside a transaction (each auto-committed). */
    public DbExecute execute() {
        return client.execute();
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws (the exception is
     * rethrown unchanged).
     */
    public <T> T inTransaction(Function<DbExecute, T> work) {
        DbTransaction tx = client.transaction();
        java.util.List<Runnable> outer = AFTER_COMMIT.get();
        java.util.List<Runnable> afterCommit = new java.util.ArrayList<>(1);
        AFTER_COMMIT.set(afterCommit);
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException | Error e) {
            AFTER_COMMIT.set(outer);
            try {
                tx.rollback();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        AFTER_COMMIT.set(outer);
        tx.commit();
        afterCommit.forEach(Runnable::run);
        return result;
    }

    /**
     * Runs {@code action} once the transaction this thread is in commits (once per transaction however often it is
     * asked, not at all on rollback), or at once outside a transaction. For telling others about committed rows.
     */
    public void afterCommit(Runnable action) {
        java.util.List<Runnable> pending = AFTER_COMMIT.get();
        if (pending == null) {
            action.run();
        } else if (!pending.contains(action)) {
            pending.add(action);
        }
    }

    /**
     * The database's product and version as its driver names them ({@code PostgreSQL 16.4}), asked once and then
     * remembered; the vendor's name alone while the database has not answered yet.
     */
    public String product() {
        String known = product;
        if (known != null) {
            return known;
        }
        try (Connection c = dataSource.getConnection()) {
            java.sql.DatabaseMetaData m = c.getMetaData();
            known = m.getDatabaseProductName() + " " + m.getDatabaseProductVersion();
            product = known;
            return known;
        } catch (SQLException | RuntimeException e) {
            return config.vendor() == Vendor.H2 ? "H2" : "PostgreSQL";
        }
    }

    /** True when a connection can be had and answers a trivial query within the pool's timeout. */
    public boolean isReady() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (ingestSource != null) {
            ingestSource.close();
        }
        dataSource.close();
    }

    /**
     * True when {@code e} (or a cause) says the database cannot be reached: no connection within the pool's timeout,
     * a refused or broken connection (SQLState class 08), the server shutting down or starting up (57P01–57P03). The
     * request may succeed later, unchanged; nothing about it was wrong.
     */
    public static boolean isUnavailable(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            // not a bare java.net.ConnectException: that may be any outbound call's; the driver and the pool wrap
            // theirs in one of these
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && (sql.getSQLState().startsWith("08")
                    || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code e} (or a cause) is a unique-key violation (SQLState 23505, both databases). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Converts an instant to the value bound to a {@code TIMESTAMP WITH TIME ZONE} parameter on both engines. */
    public static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * Binds an optional instant: the timestamp, or SQL NULL. Helidon binds a null as a string, which PostgreSQL
     * refuses for a timestamp column: write the parameter as {@code CAST(? AS TIMESTAMP WITH TIME ZONE)}.
     */
    public static Object timestamp(Optional<Instant> instant) {
        return instant.map(Database::timestamp).orElse(null);
    }

    /**
     * Reads a {@code TIMESTAMP WITH TIME ZONE} column the same way on both engines (H2 gives
     * {@link OffsetDateTime}, PostgreSQL's driver a {@link Timestamp}).
     */
    public static Optional<Instant> instant(DbColumn column) {
        Object value = raw(column);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof OffsetDateTime odt) {
            return Optional.of(odt.toInstant());
        }
        if (value instanceof Timestamp ts) {
            return Optional.of(ts.toInstant());
        }
        if (value instanceof Instant i) {
            return Optional.of(i);
        }
        if (value instanceof java.time.ZonedDateTime zdt) {
            return Optional.of(zdt.toInstant());
        }
        throw new IllegalStateException("not a timestamp column: " + column.name() + " (" + value.getClass() + ")");
    }

    /** Reads a nullable {@code BIGINT} column. */
    public static Optional<Long> optionalLong(DbColumn column) {
        return Optional.ofNullable(raw(column)).map(value -> ((Number) value).longValue());
    }

    /** Reads a nullable text column. */
    public static Optional<String> optionalString(DbColumn column) {
        return Optional.ofNullable(raw(column)).map(Object::toString);
    }

    /**
     * The column's value as the driver gave it, or null. ({@code DbColumn.get()} and {@code asOptional()} throw on
     * SQL NULL in Helidon 4.0; {@code get(Class)} does not.)
     */
    private static Object raw(DbColumn column) {
        return column.get(Object.class);
    }
}
