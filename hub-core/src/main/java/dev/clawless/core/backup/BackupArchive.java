package dev.clawless.core.backup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.clawless.core.common.JsonMappers;
import dev.clawless.core.common.PrivateFiles;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.store.Database;

/**
 * Writes and checks backup archives. An archive is a ZIP: {@code db/<table>.jsonl} for every table (one JSON object
 * per row, in primary-key order, all read in one snapshot of the database), {@code plugins/<sha256>.jar} for the
 * plugin store, {@code files/} for the data folder's own state files, and {@code manifest.json} last. It is written under a hidden {@code .partial} name, forced to disk,
 * and only then renamed to {@code clawless-backup-<time>-<id>.zip}: an interrupted backup leaves no file with a
 * backup's name, and a truncated copy fails {@link #verify} (a ZIP's directory is at its end).
 */
public final class BackupArchive {

    /** The names backups are written under; nothing else in a backup folder is read as one. */
    public static final Pattern NAME = Pattern.compile("clawless-backup-\\d{8}T\\d{9}Z-[0-9a-z]{6}\\.zip");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The entries a backup may hold: table dumps, the store's content-addressed JARs, the data folder's files. */
    private static final Pattern ENTRY = Pattern.compile("(db/[a-z0-9_]+\\.jsonl|plugins/[0-9a-f]{64}\\.jar|files/"
            + "(demo\\.json))");
    /** The data folder's own files that are hub state (the demo's tenant and connection ids). */
    public static final List<String> DATA_FILES = List.of("demo.json");
    private static final String HISTORY = "flyway_schema_history";

    private BackupArchive() {
    }

    /**
     * Writes a backup of {@code database} and the JARs of {@code pluginStore} into {@code folder}.
     *
     * @return the archive, complete and on disk
     */
    public static Path write(Database database, Path pluginStore, Path dataDir, Path folder, String hubVersion,
                             Instant now) throws IOException {
        PrivateFiles.folder(folder);
        String name = "clawless-backup-" + STAMP.format(now) + "-"
                + Secrets.randomBase62(6).toLowerCase(java.util.Locale.ROOT) + ".zip";
        Path partial = folder.resolve("." + name + ".partial");
        Path archive = folder.resolve(name);
        try {
            List<BackupManifest.FileEntry> files = new ArrayList<>();
            try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
                PrivateFiles.ownerOnly(partial);
                String[] version = new String[1];
                List<BackupManifest.Table> tables = database.inSnapshot(c -> {
                    version[0] = schemaVersion(c);
                    List<BackupManifest.Table> dumped = new ArrayList<>();
                    for (String table : tables(c)) {
                        dumped.add(dump(c, table, zip, files));
                    }
                    return dumped;
                });
                for (Path jar : storeFiles(pluginStore)) {
                    try (EntryStream out = new EntryStream(zip, "plugins/" + jar.getFileName())) {
                        Files.copy(jar, out);
                        files.add(out.entry());
                    }
                }
                for (String own : DATA_FILES) {
                    Path p = dataDir.resolve(own);
                    if (Files.isRegularFile(p)) {
                        try (EntryStream out = new EntryStream(zip, "files/" + own)) {
                            Files.copy(p, out);
                            files.add(out.entry());
                        }
                    }
                }
                BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, hubVersion, version[0],
                        database.vendor().name().toLowerCase(java.util.Locale.ROOT), now, tables, files);
                zip.putNextEntry(new ZipEntry(BackupManifest.NAME));
                zip.write(manifest.toJson());
                zip.closeEntry();
            }
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, archive);
            }
            return archive;
        } catch (IOException | SQLException | RuntimeException e) {
            Files.deleteIfExists(partial);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("the database could not be read for a backup: " + e.getMessage(), e);
        }
    }

    /** The plugin store's files, by name (a store that does not exist has none). */
    static List<Path> storeFiles(Path store) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (!Files.isDirectory(store)) {
            return jars;
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(store)) {
            for (Path p : all) {
                if (Files.isRegularFile(p) && ENTRY.matcher("plugins/" + p.getFileName()).matches()) {
                    jars.add(p);
                }
            }
        }
        jars.sort(null);
        return jars;
    }

    static String schemaVersion(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM " + HISTORY
                + " WHERE success = TRUE AND version IS NOT NULL ORDER BY installed_rank DESC");
             ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : "0";
        }
    }

    /** The hub's tables in the connection's schema, by name (Flyway's history is the schema version instead). */
    static List<String> tables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name")) {
            s.setString(1, c.getSchema());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String name = r.getString(1);
                    if (!name.equalsIgnoreCase(HISTORY)) {
                        tables.add(name);
                    }
                }
            }
        }
        return tables;
    }

    static List<String> primaryKey(Connection c, String table) throws SQLException {
        Map<Integer, String> columns = new TreeMap<>();
        try (ResultSet r = c.getMetaData().getPrimaryKeys(null, c.getSchema(), table)) {
            while (r.next()) {
                columns.put(r.getInt("KEY_SEQ"), r.getString("COLUMN_NAME"));
            }
        }
        return new ArrayList<>(columns.values());
    }

    private static BackupManifest.Table dump(Connection c, String table, ZipOutputStream zip,
                                             List<BackupManifest.FileEntry> files) throws SQLException, IOException {
        List<String> key = primaryKey(c, table);
        String sql = "SELECT * FROM " + table + (key.isEmpty() ? "" : " ORDER BY " + String.join(", ", key));
        long rows = 0;
        List<String> columns = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setFetchSize(500); // PostgreSQL streams rows in a transaction instead of reading them all
            try (ResultSet r = s.executeQuery();
                 EntryStream out = new EntryStream(zip, "db/" + table + ".jsonl")) {
                ResultSetMetaData meta = r.getMetaData();
                int n = meta.getColumnCount();
                ColumnCodec[] codecs = new ColumnCodec[n + 1];
                for (int i = 1; i <= n; i++) {
                    codecs[i] = ColumnCodec.of(meta, i);
                    columns.add(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
                }
                try (JsonGenerator json = JsonMappers.create().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                    json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                    while (r.next()) {
                        json.writeStartObject();
                        for (int i = 1; i <= n; i++) {
                            json.writeFieldName(columns.get(i - 1));
                            codecs[i].write(r, i, json);
                        }
                        json.writeEndObject();
                        json.writeRaw('\n');
                        rows++;
                    }
                }
                files.add(out.entry());
            }
        }
        return new BackupManifest.Table(table, columns, rows);
    }

    /**
     * Checks an archive without changing anything: it is a complete ZIP, its manifest is there and of a known format,
     * and its entries are exactly the manifest's, each with the size and SHA-256 the manifest gives.
     *
     * @throws BackupRefused with the first thing found wrong
     */
    public static BackupManifest verify(Path archive) {
        if (!Files.isRegularFile(archive)) {
            throw new BackupRefused(archive + " is not a file");
        }
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry manifestEntry = zip.getEntry(BackupManifest.NAME);
            if (manifestEntry == null) {
                throw new BackupRefused("no " + BackupManifest.NAME + " in " + archive.getFileName()
                        + ": not a Clawless backup, or one that was not finished");
            }
            BackupManifest manifest;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                manifest = BackupManifest.fromJson(in.readNBytes(64 << 20));
            }
            if (manifest.format() != BackupManifest.FORMAT) {
                throw new BackupRefused("backup format " + manifest.format() + " is not one this hub reads ("
                        + BackupManifest.FORMAT + ")");
            }
            Map<String, BackupManifest.FileEntry> expected = new HashMap<>();
            for (BackupManifest.FileEntry f : manifest.files()) {
                if (!ENTRY.matcher(f.path()).matches() || expected.put(f.path(), f) != null) {
                    throw new BackupRefused("the manifest names an unexpected entry: " + f.path());
                }
            }
            for (BackupManifest.Table t : manifest.tables()) {
                if (!expected.containsKey(t.entry())) {
                    throw new BackupRefused("the manifest's table " + t.name() + " has no file");
                }
            }
            Enumeration<? extends ZipEntry> entries = zip.entries();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(BackupManifest.NAME)) {
                    continue;
                }
                BackupManifest.FileEntry f = expected.get(e.getName());
                if (f == null) {
                    throw new BackupRefused("the archive holds " + e.getName() + ", which its manifest does not name");
                }
                if (!seen.add(e.getName())) {
                    throw new BackupRefused("the archive holds " + e.getName() + " twice");
                }
                MessageDigest sha = sha256();
                long size = 0;
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                        size += n;
                    }
                }
                if (size != f.size() || !HexFormat.of().formatHex(sha.digest()).equals(f.sha256())) {
                    throw new BackupRefused(e.getName() + " does not match its checksum in the manifest: the archive"
                            + " was changed or damaged");
                }
            }
            if (seen.size() != expected.size()) {
                throw new BackupRefused("the archive lacks " + (expected.size() - seen.size()) + " of the files its"
                        + " manifest names");
            }
            return manifest;
        } catch (ZipException e) {
            throw new BackupRefused(archive.getFileName() + " is not a complete ZIP archive (truncated, or not a"
                    + " backup): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackupRefused("cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One ZIP entry being written, with its size and SHA-256; closing it closes the entry, not the archive. */
    private static final class EntryStream extends OutputStream {
        private final ZipOutputStream zip;
        private final String path;
        private final MessageDigest sha = sha256();
        private long size;
        private boolean closed;

        EntryStream(ZipOutputStream zip, String path) throws IOException {
            this.zip = zip;
            this.path = path;
            zip.putNextEntry(new ZipEntry(path));
        }

        @Override
        public void write(int b) throws IOException {
            zip.write(b);
            sha.update((byte) b);
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            zip.write(b, off, len);
            sha.update(b, off, len);
            size += len;
        }

        BackupManifest.FileEntry entry() {
            return new BackupManifest.FileEntry(path, size, HexFormat.of().formatHex(sha.digest()));
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                zip.closeEntry();
            }
        }
    }
}
