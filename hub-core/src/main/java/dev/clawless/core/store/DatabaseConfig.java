package dev.clawless.core.store;

import java.time.Duration;

/**
 * How to reach the database.
 *
 * @param url            JDBC URL: {@code jdbc:h2:…} (embedded) or {@code jdbc:postgresql:…}
 * @param username       user name, empty for none
 * @param password       password, empty for none; never printed
 * @param poolSize       maximum pooled connections
 * @param connectTimeout how long to wait for a connection from the pool
 * @param ingestPoolSize connections of a second pool kept for acknowledging platforms' webhooks
 *                       ({@link Database#ingest}), so that busy job workers cannot starve them; 0: webhooks share
 *                       the main pool
 */
public record DatabaseConfig(String url, String username, String password, int poolSize, Duration connectTimeout,
                             int ingestPoolSize) {

    /** A configuration without a pool of its own for webhooks. */
    public DatabaseConfig(String url, String username, String password, int poolSize, Duration connectTimeout) {
        this(url, username, password, poolSize, connectTimeout, 0);
    }

    /**
     * The embedded H2 file database under {@code dataDir}, in PostgreSQL mode, writing every commit to its file before
     * the commit returns ({@code WRITE_DELAY=0}; H2's default keeps commits in memory for up to half a second).
     */
    public static String h2FileUrl(java.nio.file.Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db").resolve("clawless")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }

    public Vendor vendor() {
        return Vendor.of(url);
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + safeUrl() + ", username=" + username + ", password=" + (password.isEmpty()
                ? "" : "****") + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + ", ingestPoolSize=" + ingestPoolSize
                + "]";
    }

    /**
     * The URL without anything that may carry credentials: query parameters, user info and {@code password=} /
     * {@code user=} settings.
     */
    public String safeUrl() {
        return mask(url);
    }

    /** {@link #safeUrl()} for any JDBC URL. */
    public static String mask(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q) + "?…";
        return base.replaceAll("//[^/@]*@", "//****@")
                .replaceAll("(?i)((?:password|pwd|user)\\s*=)[^;&]*", "$1****");
    }

    /** The database engines the hub runs on. */
    public enum Vendor {
        H2, POSTGRESQL;

        static Vendor of(String url) {
            if (url.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (url.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            throw new IllegalArgumentException("a jdbc:h2: or jdbc:postgresql: URL");
        }
    }
}
