package dev.clawless.core.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.api.MigrationVersion;

import dev.clawless.core.common.JsonMappers;
import dev.clawless.core.common.PrivateFiles;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.DatabaseConfig;

/**
 * Restores a backup archive into an empty database (H2 or PostgreSQL, whichever the backup came from) and an empty
 * plugin store. Everything that can be checked is checked before anything is written: every checksum, the schema
 * version (a backup from a newer hub is refused), that the database and the store are empty. Then the schema is made
 * at the backup's version, the rows are loaded in one transaction (tables in the order their foreign keys need),
 * identity counters are moved past the restored ids, the plugin JARs and the data folder's own files (the demo's
 * marker) are copied back, and the hub's own start
 * migrates the schema the rest of the way.
 */
public final class Restore {

    private static final ObjectMapper JSON = JsonMappers.create();
    private static final int BATCH = 500;
    /** Tables no migration fills: rows in any of them mean a hub has used this database. */
    private static final List<String> DATA_TABLES = List.of("tenants", "users", "api_keys", "conversations",
            "messages", "channel_connections", "plugin_versions", "plugin_installations", "audit_log");

    /** What was restored. */
    public record Result(BackupManifest manifest, long rows, int plugins) {
    }

    private Restore() {
    }

    /**
     * @throws BackupRefused when the archive, its schema or the target is unfit; nothing was changed then
     * @throws RestoreFailed when the restore stopped after the schema was made; its message says what is left
     */
    public static Result run(Path archive, DatabaseConfig target, Path pluginStore, Path dataDir) throws IOException {
        BackupManifest manifest = BackupArchive.verify(archive);
        String[] versions = Database.versions(target);
        MigrationVersion backup = MigrationVersion.fromVersion(manifest.schemaVersion());
        MigrationVersion newest = MigrationVersion.fromVersion(versions[0]);
        MigrationVersion current = MigrationVersion.fromVersion(versions[1]);
        if (backup.compareTo(newest) > 0) {
            throw new BackupRefused("the backup's schema version " + backup + " is newer than this hub's ("
                    + newest + "): restore it with the hub version that made it (" + manifest.hubVersion()
                    + ") or a newer one");
        }
        if (current.compareTo(MigrationVersion.fromVersion("0")) > 0) {
            requireNoData(target);
            if (current.compareTo(backup) > 0) {
                throw new BackupRefused("the target database's schema is at version " + current + ", past the"
                        + " backup's " + backup + ": restore into an empty database");
            }
        }
        if (!BackupArchive.storeFiles(pluginStore).isEmpty()) {
            throw new BackupRefused("the plugin store " + pluginStore + " is not empty: restore into a new data folder");
        }
        // the files first: a failure here leaves the database untouched, and what was copied is removed
        List<Path> copied = new ArrayList<>();
        int plugins = 0;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (BackupManifest.FileEntry f : manifest.files()) {
                Path to;
                if (f.path().startsWith("files/")) {
                    to = dataDir.resolve(f.path().substring("files/".length()));
                } else if (f.path().startsWith("plugins/")) {
                    PrivateFiles.folder(pluginStore);
                    to = pluginStore.resolve(f.path().substring("plugins/".length()));
                    plugins++;
                } else {
                    continue;
                }
                try (InputStream in = zip.getInputStream(zip.getEntry(f.path()))) {
                    Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
                }
                copied.add(to);
                PrivateFiles.ownerOnly(to);
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : copied) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
        // from here on the database changes: the schema, then every row in one transaction
        Database.migrateTo(target, manifest.schemaVersion());
        long rows;
        try (ZipFile zip = new ZipFile(archive.toFile());
             Connection c = DriverManager.getConnection(target.url(), target.username(), target.password())) {
            c.setAutoCommit(false);
            try {
                rows = load(c, zip, manifest);
                restartCounters(c, manifest); // in the transaction where the database allows DDL in one (PostgreSQL)
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw new RestoreFailed("the restore stopped while loading rows (" + e.getMessage() + "); the"
                        + " database holds the schema at version " + manifest.schemaVersion() + " and, on H2, maybe"
                        + " some rows: drop it (or remove the data folder's db/) before restoring again", e);
            }
        } catch (SQLException e) {
            throw new RestoreFailed("the restore could not reach the database (" + e.getMessage() + "); the database"
                    + " may hold the empty schema at version " + manifest.schemaVersion() + ", which a new restore"
                    + " accepts", e);
        }
        return new Result(manifest, rows, plugins);
    }

    /**
     * The hub's data tables must be empty: a schema made by {@code clawless migrate} (or a restore that failed) is
     * fine — its migrations' own rows are replaced by the backup's — a hub that has run is not.
     */
    private static void requireNoData(DatabaseConfig target) {
        try (Connection c = DriverManager.getConnection(target.url(), target.username(), target.password())) {
            List<String> tables = BackupArchive.tables(c);
            for (String table : DATA_TABLES) {
                if (!tables.contains(table)) {
                    continue;
                }
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    r.next();
                    long n = r.getLong(1);
                    if (n > 0) {
                        throw new BackupRefused("the target database is not empty (" + table + " has " + n
                                + " rows): restore into an empty database");
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackupRefused("cannot read the target database: " + e.getMessage(), e);
        }
    }

    private static long load(Connection c, ZipFile zip, BackupManifest manifest) throws SQLException, IOException {
        Map<String, BackupManifest.Table> byName = new LinkedHashMap<>();
        manifest.tables().forEach(t -> byName.put(t.name(), t));
        List<String> existing = BackupArchive.tables(c);
        for (String name : byName.keySet()) {
            if (!existing.contains(name)) {
                throw new BackupRefused("the backup has a table " + name + " that schema version "
                        + manifest.schemaVersion() + " does not");
            }
        }
        List<String> order = insertOrder(c, existing);
        // what the migrations put in (their seed rows) makes way for the backup's rows of the same tables
        for (int i = order.size() - 1; i >= 0; i--) {
            if (byName.containsKey(order.get(i))) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM " + order.get(i));
                }
            }
        }
        long total = 0;
        for (String table : order) {
            BackupManifest.Table t = byName.get(table);
            if (t == null || t.rows() == 0) {
                continue;
            }
            long loaded = loadTable(c, zip, t);
            if (loaded != t.rows()) {
                throw new BackupRefused(table + ": " + loaded + " rows in the archive, " + t.rows()
                        + " in its manifest");
            }
            total += loaded;
        }
        return total;
    }

    private static long loadTable(Connection c, ZipFile zip, BackupManifest.Table t) throws SQLException, IOException {
        for (String column : t.columns()) {
            if (!column.matches("[a-z0-9_]{1,63}")) {
                throw new BackupRefused("the manifest names a column that is not one: " + column);
            }
        }
        String columns = String.join(", ", t.columns());
        ColumnCodec[] codecs = new ColumnCodec[t.columns().size() + 1];
        int[] types = new int[codecs.length];
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT " + columns + " FROM " + t.name() + " WHERE 1 = 0")) {
            ResultSetMetaData meta = r.getMetaData();
            for (int i = 1; i < codecs.length; i++) {
                codecs[i] = ColumnCodec.of(meta, i);
                types[i] = meta.getColumnType(i);
            }
        } catch (SQLException e) {
            throw new BackupRefused("the backup's columns of " + t.name() + " do not fit the table: "
                    + e.getMessage(), e);
        }
        String sql = "INSERT INTO " + t.name() + " (" + columns + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(t.columns().size(), "?")) + ")";
        long rows = 0;
        try (PreparedStatement insert = c.prepareStatement(sql);
             BufferedReader lines = new BufferedReader(new InputStreamReader(
                     zip.getInputStream(zip.getEntry(t.entry())), StandardCharsets.UTF_8), 1 << 16)) {
            int batched = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode row = JSON.readTree(line);
                for (int i = 1; i < codecs.length; i++) {
                    codecs[i].bind(insert, i, row.get(t.columns().get(i - 1)), types[i]);
                }
                insert.addBatch();
                rows++;
                if (++batched == BATCH) {
                    insert.executeBatch();
                    batched = 0;
                }
            }
            if (batched > 0) {
                insert.executeBatch();
            }
        }
        return rows;
    }

    /** Tables in an order where every table comes after the tables its foreign keys point to. */
    static List<String> insertOrder(Connection c, List<String> tables) throws SQLException {
        Map<String, Set<String>> needs = new HashMap<>();
        for (String table : tables) {
            Set<String> parents = new LinkedHashSet<>();
            try (ResultSet r = c.getMetaData().getImportedKeys(null, c.getSchema(), table)) {
                while (r.next()) {
                    String parent = r.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!parent.equals(table)) {
                        parents.add(parent);
                    }
                }
            }
            needs.put(table, parents);
        }
        List<String> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (order.size() < tables.size()) {
            boolean progress = false;
            for (String table : tables) {
                if (!placed.contains(table) && placed.containsAll(needs.get(table).stream()
                        .filter(tables::contains).toList())) {
                    order.add(table);
                    placed.add(table);
                    progress = true;
                }
            }
            if (!progress) { // a cycle: the rest as they are (no such schema today)
                tables.stream().filter(t -> !placed.contains(t)).forEach(order::add);
                break;
            }
        }
        return order;
    }

    /**
     * Moves every counter of ids past the largest restored value, so new rows get new ids: identity columns, and
     * sequences named {@code <table>_<column>_seq} (the jobs' ids come from one).
     */
    private static void restartCounters(Connection c, BackupManifest manifest) throws SQLException {
        java.util.Set<String> restored = new java.util.HashSet<>();
        manifest.tables().forEach(t -> restored.add(t.name()));
        List<String[]> identities = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT table_name, column_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND is_identity = 'YES'")) {
            s.setString(1, c.getSchema());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    identities.add(new String[] {r.getString(1).toLowerCase(Locale.ROOT),
                            r.getString(2).toLowerCase(Locale.ROOT)});
                }
            }
        }
        for (String[] identity : identities) {
            if (restored.contains(identity[0])) {
                execute(c, "ALTER TABLE " + identity[0] + " ALTER COLUMN " + identity[1] + " RESTART WITH "
                        + next(c, identity[0], identity[1]));
            }
        }
        List<String> sequences = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT sequence_name FROM information_schema.sequences"
                + " WHERE sequence_schema = ?")) {
            s.setString(1, c.getSchema());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    sequences.add(r.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        for (String sequence : sequences) {
            if (!sequence.endsWith("_seq")) {
                continue;
            }
            String stem = sequence.substring(0, sequence.length() - "_seq".length());
            for (String table : restored) {
                if (!stem.startsWith(table + "_")) {
                    continue;
                }
                String column = stem.substring(table.length() + 1);
                boolean identity = identities.stream().anyMatch(i -> i[0].equals(table) && i[1].equals(column));
                if (!identity && column.matches("[a-z0-9_]+") && hasColumn(c, table, column)) {
                    execute(c, "ALTER SEQUENCE " + sequence + " RESTART WITH " + next(c, table, column));
                }
            }
        }
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (ResultSet r = c.getMetaData().getColumns(null, c.getSchema(), table, column)) {
            return r.next();
        }
    }

    private static long next(Connection c, String table, String column) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
