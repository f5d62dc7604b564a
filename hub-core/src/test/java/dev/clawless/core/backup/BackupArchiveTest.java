package dev.clawless.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.core.store.Database;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;

/**
 * Archives that must not be restored are refused before anything is written: changed, truncated, unfinished, with
 * entries the manifest does not name, from a newer schema, into a database that has data. A backup that fails half
 * way leaves nothing with a backup's name.
 */
class BackupArchiveTest {

    /** A plugin JAR's name in the store: its SHA-256, hex. */
    private static final String JAR = "a".repeat(64) + ".jar";

    @TempDir
    Path dir;
    private Database database;
    private Path store;
    private Path data;

    @BeforeEach
    void setUp() throws IOException {
        database = Database.open(TestDatabases.h2());
        TestTenants.create(database, new TestClock(Instant.parse("2026-12-06T10:00:00Z")), "Acme",
                new Quotas(-1, -1, -1));
        TestTenants.create(database, new TestClock(Instant.parse("2026-12-06T10:00:01Z")), "Zeta: \"quoted\" ünï",
                new Quotas(10, 20, 30));
        store = Files.createDirectories(dir.resolve("plugins"));
        Files.write(store.resolve(JAR), new byte[] {1, 2, 3, 4});
        data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("demo.json"), "{\"tenant_id\":\"ten_x\"}");
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private Path backup() throws IOException {
        return BackupArchive.write(database, store, data, dir.resolve("backups"), "test", Instant.now());
    }

    /** A copy of {@code archive} with each entry's bytes passed through {@code change} (null drops the entry). */
    private Path rewritten(Path archive, String name, BiFunction<String, byte[], byte[]> change) throws IOException {
        Path copy = dir.resolve(name);
        try (ZipFile in = new ZipFile(archive.toFile());
             OutputStream file = Files.newOutputStream(copy);
             ZipOutputStream out = new ZipOutputStream(file)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = change.apply(e.getName(), s.readAllBytes());
                }
                if (bytes != null) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(bytes);
                    out.closeEntry();
                }
            }
        }
        return copy;
    }

    private static long tables(DatabaseConfig config) {
        return Long.parseLong(Database.versions(config)[1]);
    }

    @Test
    void aBackupNamesEveryTableAndFileWithItsChecksum() throws IOException {
        Path archive = backup();
        assertTrue(BackupArchive.NAME.matcher(archive.getFileName().toString()).matches(), archive.toString());
        BackupManifest manifest = BackupArchive.verify(archive);
        assertEquals(database.schemaVersion(), manifest.schemaVersion());
        assertEquals("h2", manifest.vendor());
        assertEquals(2, manifest.tables().stream().filter(t -> t.name().equals("tenants")).findFirst().orElseThrow()
                .rows());
        assertTrue(manifest.files().stream().anyMatch(f -> f.path().equals("plugins/" + JAR) && f.size() == 4));
        assertTrue(manifest.files().stream().anyMatch(f -> f.path().equals("files/demo.json")));
        assertTrue(manifest.tables().stream().noneMatch(t -> t.name().equals("flyway_schema_history")));
        // nothing but the archive in the folder: no partial file left behind
        try (var files = Files.list(dir.resolve("backups"))) {
            assertEquals(List.of(archive), files.toList());
        }
    }

    @Test
    void anArchiveRestoresIntoPostgresqlWithEveryValueAsItWas() throws IOException {
        Path archive = backup();
        DatabaseConfig pg = TestDatabases.postgresql();
        Path target = Files.createDirectories(dir.resolve("restored"));
        Restore.Result result = Restore.run(archive, pg, target.resolve("plugins"), target);
        assertEquals(BackupArchive.verify(archive).rows(), result.rows());
        assertEquals(1, result.plugins());
        assertEquals("{\"tenant_id\":\"ten_x\"}", Files.readString(target.resolve("demo.json")));
        try (Database restored = Database.open(pg)) {
            String query = "SELECT id, name, quota_messages_per_month, created_at FROM tenants ORDER BY id";
            assertEquals(rows(database, query), rows(restored, query));
        }
    }

    private static List<String> rows(Database db, String sql) {
        return db.execute().createQuery(sql).execute().map(r -> r.column(1).get(Object.class) + "|"
                + r.column(2).get(Object.class) + "|" + r.column(3).get(Object.class) + "|"
                + Database.instant(r.column(4)).orElseThrow()).toList();
    }

    @Test
    void aChangedEntryIsRefusedAndNothingIsWritten() throws IOException {
        Path archive = backup();
        Path tampered = rewritten(archive, "tampered.zip", (name, bytes) -> name.equals("db/tenants.jsonl")
                ? new String(bytes, StandardCharsets.UTF_8).replace("Acme", "Evil").getBytes(StandardCharsets.UTF_8)
                : bytes);
        DatabaseConfig target = TestDatabases.h2();
        BackupRefused refused = assertThrows(BackupRefused.class, () -> Restore.run(tampered, target,
                dir.resolve("p1"), dir));
        assertTrue(refused.getMessage().contains("db/tenants.jsonl does not match its checksum"), refused.getMessage());
        assertEquals(0, tables(target), "no schema was made");
        assertFalse(Files.exists(dir.resolve("p1")));
    }

    @Test
    void anEntryTheManifestDoesNotNameIsRefused() throws IOException {
        Path archive = backup();
        Path extra = rewritten(archive, "extra.zip", (name, bytes) -> bytes);
        try (var fs = java.nio.file.FileSystems.newFileSystem(extra)) {
            Files.writeString(fs.getPath("plugins/evil.jar"), "x");
        }
        BackupRefused refused = assertThrows(BackupRefused.class, () -> BackupArchive.verify(extra));
        assertTrue(refused.getMessage().contains("plugins/evil.jar, which its manifest does not name"),
                refused.getMessage());
        Path dropped = rewritten(archive, "dropped.zip", (name, bytes) -> name.equals("db/tenants.jsonl") ? null
                : bytes);
        assertTrue(assertThrows(BackupRefused.class, () -> BackupArchive.verify(dropped)).getMessage()
                .contains("lacks 1 of the files"));
    }

    @Test
    void aTruncatedOrUnfinishedArchiveIsRefused() throws IOException {
        Path archive = backup();
        byte[] bytes = Files.readAllBytes(archive);
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(assertThrows(BackupRefused.class, () -> BackupArchive.verify(truncated)).getMessage()
                .contains("not a complete ZIP archive"));
        Path unfinished = rewritten(archive, "unfinished.zip", (name, b) -> name.equals(BackupManifest.NAME) ? null
                : b);
        assertTrue(assertThrows(BackupRefused.class, () -> BackupArchive.verify(unfinished)).getMessage()
                .contains("no manifest.json"));
    }

    @Test
    void aBackupFromANewerSchemaIsRefusedBeforeTheDatabaseIsTouched() throws IOException {
        Path archive = backup();
        Path newer = rewritten(archive, "newer.zip", (name, bytes) -> name.equals(BackupManifest.NAME)
                ? new String(bytes, StandardCharsets.UTF_8).replaceFirst("\"schema_version\" : \"[0-9.]+\"",
                "\"schema_version\" : \"999\"").getBytes(StandardCharsets.UTF_8) : bytes);
        DatabaseConfig target = TestDatabases.h2();
        BackupRefused refused = assertThrows(BackupRefused.class, () -> Restore.run(newer, target, dir.resolve("p2"),
                dir));
        assertTrue(refused.getMessage().contains("schema version 999 is newer than this hub's"), refused.getMessage());
        assertEquals(0, tables(target));
    }

    @Test
    void aDatabaseWithDataIsNotRestoredInto() throws IOException {
        Path archive = backup();
        DatabaseConfig target = TestDatabases.h2();
        try (Database other = Database.open(target)) {
            TestTenants.create(other, Clock.systemUTC(), "Already here", new Quotas(-1, -1, -1));
        }
        BackupRefused refused = assertThrows(BackupRefused.class, () -> Restore.run(archive, target,
                dir.resolve("p3"), dir));
        assertTrue(refused.getMessage().contains("tenants has 1 rows"), refused.getMessage());
        try (Database other = Database.open(target)) {
            assertEquals(List.of("Already here"), other.execute().createQuery("SELECT name FROM tenants").execute()
                    .map(r -> r.column(1).get(String.class)).toList());
        }
    }

    @Test
    void aBackupThatFailsHalfWayLeavesNoArchive() throws IOException {
        // a database that stops taking connections: the write fails after its partial file was opened
        DatabaseConfig pg = TestDatabases.postgresql();
        String name = pg.url().substring(pg.url().lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        Path folder = dir.resolve("failing");
        try (Database closing = Database.open(pg);
             java.sql.Connection admin = java.sql.DriverManager.getConnection(
                     pg.url().replace("/" + name, "/postgres"), pg.username(), pg.password());
             java.sql.Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            assertThrows(Exception.class, () -> BackupArchive.write(closing, store, data, folder, "test",
                    Instant.now()));
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        try (var files = Files.list(folder)) {
            assertEquals(List.of(), files.toList(), "no archive and no partial file");
        }
        // what a killed backup leaves (its hidden partial file) is neither listed nor restorable
        Path archive = backup();
        byte[] bytes = Files.readAllBytes(archive);
        Path partial = dir.resolve("backups").resolve(".clawless-backup-20261206T000000000Z-abcdef.zip.partial");
        Files.write(partial, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Backups backups = new Backups(database, store, data, new Backups.BackupSettings(dir.resolve("backups"),
                Duration.ZERO, 7), "test", Clock.systemUTC());
        assertEquals(List.of(archive.getFileName().toString()), backups.list().stream().map(Backups.Stored::name)
                .toList());
        assertThrows(BackupRefused.class, () -> BackupArchive.verify(partial));
    }

    @Test
    void onlyTheNewestAreKept() {
        Backups backups = new Backups(database, store, data, new Backups.BackupSettings(dir.resolve("kept"),
                Duration.ZERO, 2), "test", Clock.systemUTC());
        String first = backups.create().name();
        backups.create();
        backups.create();
        List<String> kept = backups.list().stream().map(Backups.Stored::name).toList();
        assertEquals(2, kept.size(), kept.toString());
        assertFalse(kept.contains(first), "the oldest went first");
        assertTrue(backups.file("../" + first).isEmpty(), "a name that is not a backup's is not a path");
    }
}
