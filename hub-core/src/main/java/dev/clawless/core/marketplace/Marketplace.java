package dev.clawless.core.marketplace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbRow;
import org.pf4j.DefaultVersionManager;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.marketplace.internal.JarInspector;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.PluginApi;

/**
 * Plugin uploads, their review and the catalog. An upload is streamed to a temporary file within the size limit,
 * hashed, inspected ({@link JarInspector}: structure, zip slip, bombs, forbidden packages, manifest, extension
 * index, descriptor), its {@code Plugin-Requires} checked against this hub's plugin API with semver rules and its
 * publisher signature (Ed25519 over the hex SHA-256) against the trusted keys; then it is stored under its SHA-256
 * and recorded {@code pending_review}. The same (plugin, version) uploaded again with the same bytes is the same
 * upload; with other bytes it is refused. Thread-safe.
 */
public final class Marketplace {

    public static final String PENDING = "pending_review";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "plugin_id, version, sha256, size_bytes, status, requires, provider,"
            + " descriptor, extensions, signed_by, review_reason, created_at, reviewed_at";

    private final Database database;
    private final AuditLog audit;
    private final MarketplaceSettings settings;
    private final Clock clock;
    private final JarInspector inspector;
    private final DefaultVersionManager versions = new DefaultVersionManager();
    /** Inspections by SHA-256 of the archive: content never changes under its hash. */
    private final Map<String, PluginReview.Inspection> inspections = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED = 512;

    public Marketplace(Database database, AuditLog audit, MarketplaceSettings settings, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
        this.inspector = new JarInspector(settings.maxEntries(), settings.maxExpandedBytes());
    }

    public MarketplaceSettings settings() {
        return settings;
    }

    /** An upload's outcome: the version, and whether it was new. */
    public record Uploaded(PluginVersion version, boolean created) {
    }

    /**
     * Verifies and stores an uploaded JAR.
     *
     * @param body      the raw JAR, read here up to the size limit
     * @param signature {@code <publisher>:<base64 Ed25519 signature of the hex SHA-256>}, if the publisher signed it
     */
    public Uploaded upload(Actor actor, String tenantId, InputStream body, Optional<String> signature) {
        Path temp = null;
        try {
            dev.clawless.core.common.PrivateFiles.folder(settings.store());
            temp = Files.createTempFile(settings.store(), "upload-", ".part");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = 0;
            try (InputStream in = body; var out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    size += n;
                    if (size > settings.maxUploadBytes()) {
                        throw new ClawlessException.PayloadTooLarge("a plugin JAR may be at most "
                                + settings.maxUploadBytes() + " bytes");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            String hash = HexFormat.of().formatHex(sha.digest());
            JarInspector.Contents contents = inspector.inspect(temp);
            String pluginId = required(contents, "Plugin-Id", "[a-z][a-z0-9-]{1,63}",
                    "lower-case letters, digits and dashes");
            String version = required(contents, "Plugin-Version", ".{1,64}", "semver");
            String requires = required(contents, "Plugin-Requires", ".{1,100}", "a semver range such as >=1.0.0");
            checkVersions(version, requires);
            checkDescriptor(contents.descriptor());
            Optional<String> signedBy = checkSignature(hash, signature);
            Optional<String> provider = Optional.ofNullable(JarInspector.attribute(contents.manifest(),
                    "Plugin-Provider")).map(p -> p.length() > 200 ? p.substring(0, 200) : p);
            Optional<PluginVersion> existing = find(pluginId, version);
            if (existing.isPresent()) {
                if (existing.get().sha256().equals(hash)) {
                    return new Uploaded(existing.get(), false);
                }
                throw new ClawlessException.Conflict(pluginId + " " + version + " was uploaded before with other"
                        + " bytes; publish a new version");
            }
            Path target = settings.store().resolve(hash + ".jar");
            if (!Files.exists(target)) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            long bytes = size;
            try {
                insert(actor, tenantId, pluginId, version, hash, bytes, requires, provider, contents, signedBy, now);
            } catch (RuntimeException e) {
                // a concurrent upload of the same version won the race
                Optional<PluginVersion> raced = find(pluginId, version);
                if (raced.isPresent()) {
                    if (raced.get().sha256().equals(hash)) {
                        return new Uploaded(raced.get(), false);
                    }
                    throw new ClawlessException.Conflict(pluginId + " " + version + " was uploaded meanwhile with"
                            + " other bytes; publish a new version");
                }
                throw e;
            }
            return new Uploaded(find(pluginId, version).orElseThrow(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a leftover .part file is harmless
                }
            }
        }
    }

    private void insert(Actor actor, String tenantId, String pluginId, String version, String hash, long bytes,
                        String requires, Optional<String> provider, JarInspector.Contents contents,
                        Optional<String> signedBy, Instant now) {
        database.inTransaction(tx -> {
            tx.createInsert("INSERT INTO plugin_versions (plugin_id, version, sha256, size_bytes, status, requires,"
                            + " provider, descriptor, extensions, signed_by, uploaded_by, created_at)"
                            + " VALUES (?, ?, ?, ?, 'pending_review', ?, ?, ?, ?, ?, ?, ?)")
                    .params(pluginId, version, hash, bytes, requires, provider.orElse(null),
                            contents.descriptor().toString(), String.join("\n", contents.extensions()),
                            signedBy.orElse(null), tenantId, Database.timestamp(now))
                    .execute();
            audit.record(tx, actor, Optional.ofNullable(tenantId), "plugin.uploaded",
                    Optional.of(pluginId + "@" + version), Map.of("sha256", hash, "signed_by",
                            signedBy.orElse("")));
            return null;
        });
    }

    private static String required(JarInspector.Contents c, String attribute, String pattern, String what) {
        String value = JarInspector.attribute(c.manifest(), attribute);
        if (value == null || value.isBlank()) {
            throw new ClawlessException.Unprocessable("plugin-refused", "the manifest has no " + attribute);
        }
        value = value.strip();
        if (!value.matches(pattern)) {
            throw new ClawlessException.Unprocessable("plugin-refused", "the manifest's " + attribute
                    + " must be " + what);
        }
        return value;
    }

    private void checkVersions(String version, String requires) {
        try {
            com.github.zafarkhaja.semver.Version.parse(version);
        } catch (RuntimeException e) {
            throw new ClawlessException.Unprocessable("plugin-refused", "Plugin-Version " + version
                    + " is not a semantic version (major.minor.patch)");
        }
        boolean fits;
        try {
            fits = versions.checkVersionConstraint(PluginApi.VERSION, requires);
        } catch (RuntimeException e) {
            throw new ClawlessException.Unprocessable("plugin-refused", "Plugin-Requires " + requires
                    + " is not a semver range (e.g. >=1.0.0 & <2.0.0)");
        }
        if (!fits) {
            throw new ClawlessException.Unprocessable("plugin-incompatible", "Plugin-Requires " + requires
                    + " does not include this hub's plugin API " + PluginApi.VERSION);
        }
    }

    /** display_name, description, icon, config_schema, secrets, hosts, mutating_tools: types and sizes. */
    private static void checkDescriptor(JsonNode d) {
        List<FieldError> errors = new ArrayList<>();
        text(d, "display_name", 100, true, errors);
        text(d, "description", 2000, true, errors);
        text(d, "icon", 200_000, false, errors);
        if (d.has("config_schema") && !d.get("config_schema").isObject()) {
            errors.add(new FieldError("config_schema", "must be a JSON Schema object"));
        }
        for (String list : List.of("secrets", "hosts", "mutating_tools")) {
            JsonNode v = d.get(list);
            if (v == null) {
                continue;
            }
            if (!v.isArray() || v.size() > 100) {
                errors.add(new FieldError(list, "must be an array of at most 100 strings"));
                continue;
            }
            for (JsonNode item : v) {
                boolean ok = item.isTextual() && switch (list) {
                    case "hosts" -> item.asText().equals("*") || item.asText().matches("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]"
                            + "([a-z0-9-]*[a-z0-9])?)+");
                    case "secrets" -> item.asText().matches("[a-z][a-z0-9_]{0,63}");
                    default -> item.asText().matches("[a-z][a-z0-9_]{0,63}");
                };
                if (!ok) {
                    errors.add(new FieldError(list, "has an invalid entry "
                            + item.toString().substring(0, Math.min(80, item.toString().length()))));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ClawlessException.Unprocessable("plugin-refused", "clawless-plugin.json: " + errors.stream()
                    .map(e -> e.field() + " " + e.message()).reduce((a, b) -> a + "; " + b).orElse(""));
        }
    }

    private static void text(JsonNode d, String field, int max, boolean required, List<FieldError> errors) {
        JsonNode v = d.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
        } else if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
            errors.add(new FieldError(field, "must be a string of 1-" + max + " characters"));
        }
    }

    private Optional<String> checkSignature(String hash, Optional<String> signature) {
        if (signature.isEmpty()) {
            if (settings.requireSigned()) {
                throw new ClawlessException.Unprocessable("plugin-unsigned", "this hub accepts only plugins signed"
                        + " by a trusted publisher (X-Plugin-Signature: <publisher>:<base64 Ed25519 signature of the"
                        + " hex SHA-256>)");
            }
            return Optional.empty();
        }
        String[] parts = signature.get().split(":", 2);
        byte[] key = parts.length == 2 ? settings.trustedPublishers().get(parts[0]) : null;
        if (key == null) {
            throw new ClawlessException.Unprocessable("plugin-signature", "the publisher is not trusted by this hub");
        }
        try {
            PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(key));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(hash.getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(Base64.getDecoder().decode(parts[1].strip()))) {
                throw new ClawlessException.Unprocessable("plugin-signature", "the signature of " + parts[0]
                        + " does not match this JAR");
            }
            return Optional.of(parts[0]);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ClawlessException.Unprocessable("plugin-signature", "the signature cannot be checked: "
                    + e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------------------------------------- review

    /** Approves or rejects a version waiting for review; audited. */
    public PluginVersion review(Actor actor, String pluginId, String version, boolean approve,
                                Optional<String> reason) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            long changed = tx.createUpdate("UPDATE plugin_versions SET status = ?, review_reason = ?, reviewed_at = ?"
                            + " WHERE plugin_id = ? AND version = ? AND status = 'pending_review'")
                    .params(approve ? "approved" : "rejected", reason.orElse(null), Database.timestamp(now), pluginId,
                            version)
                    .execute();
            if (changed == 0) {
                PluginVersion v = find(pluginId, version).orElseThrow(() -> new ClawlessException.NotFound(
                        "no plugin " + pluginId + " " + version));
                throw new ClawlessException.Conflict(pluginId + " " + version + " is already " + v.status());
            }
            audit.record(tx, actor, Optional.empty(), approve ? "plugin.approved" : "plugin.rejected",
                    Optional.of(pluginId + "@" + version), Map.of("reason", reason.orElse("")));
            return null;
        });
        return find(pluginId, version).orElseThrow();
    }

    // ---------------------------------------------------------------------------------------------- catalog

    public Optional<PluginVersion> find(String pluginId, String version) {
        return database.execute().createGet("SELECT " + COLUMNS + " FROM plugin_versions WHERE plugin_id = ?"
                + " AND version = ?").params(pluginId, version).execute().map(Marketplace::row);
    }

    /** Versions by status (all when empty), by plugin then upload time. */
    public List<PluginVersion> list(Optional<String> status, Optional<String> pluginId) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM plugin_versions WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            params.add(s);
        });
        pluginId.ifPresent(p -> {
            sql.append(" AND plugin_id = ?");
            params.add(p);
        });
        sql.append(" ORDER BY plugin_id, created_at LIMIT 1000");
        return database.execute().createQuery(sql.toString()).params(params).execute().map(Marketplace::row)
                .toList();
    }

    /** The versions {@code tenantId} uploaded of a plugin, whatever their review, by upload time. */
    public List<PluginVersion> uploads(String tenantId, String pluginId) {
        return database.execute().createQuery("SELECT " + COLUMNS + " FROM plugin_versions WHERE plugin_id = ?"
                        + " AND uploaded_by = ? ORDER BY created_at LIMIT 1000").params(pluginId, tenantId).execute()
                .map(Marketplace::row).toList();
    }

    // ---------------------------------------------------------------------------------------------- review data

    /**
     * The stored archive of a version as a reviewer sees it, read (within the upload limits) once per content and
     * then remembered: the file is named by its hash, so it never changes. Empty when the file is not in this hub's
     * store.
     */
    public Optional<PluginReview.Inspection> inspection(PluginVersion v) {
        PluginReview.Inspection known = inspections.get(v.sha256());
        if (known != null) {
            return Optional.of(known);
        }
        Path jar = settings.store().resolve(v.sha256() + ".jar");
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        JarInspector.Survey s;
        try {
            s = inspector.inspect(jar).survey();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        PluginReview.Inspection inspection = new PluginReview.Inspection(s.entries(), s.totalUncompressedBytes(),
                s.packages(), s.nestedJars().stream().map(f -> new PluginReview.FileSize(f.name(), f.sizeBytes()))
                .toList(), s.largest().stream().map(f -> new PluginReview.FileSize(f.name(), f.sizeBytes())).toList());
        if (inspections.size() >= MAX_REMEMBERED) {
            inspections.clear();
        }
        inspections.put(v.sha256(), inspection);
        return Optional.of(inspection);
    }

    /** What {@code v} asks for that the latest approved version before it did not, and what it no longer asks for. */
    public PluginReview.PermissionsDiff permissionsDiff(PluginVersion v) {
        com.github.zafarkhaja.semver.Version mine = semver(v.version());
        Optional<PluginVersion> previous = list(Optional.of("approved"), Optional.of(v.pluginId())).stream()
                .filter(p -> semver(p.version()).compareTo(mine) < 0)
                .max((a, b) -> semver(a.version()).compareTo(semver(b.version())));
        PluginReview.Permissions now = permissions(v);
        PluginReview.Permissions before = previous.map(Marketplace::permissions)
                .orElse(new PluginReview.Permissions(List.of(), List.of(), List.of()));
        return new PluginReview.PermissionsDiff(previous.map(PluginVersion::version),
                new PluginReview.Permissions(minus(now.hosts(), before.hosts()), minus(now.secrets(), before.secrets()),
                        minus(now.mutatingTools(), before.mutatingTools())),
                new PluginReview.Permissions(minus(before.hosts(), now.hosts()), minus(before.secrets(), now.secrets()),
                        minus(before.mutatingTools(), now.mutatingTools())));
    }

    private static PluginReview.Permissions permissions(PluginVersion v) {
        JsonNode d = v.descriptor();
        return new PluginReview.Permissions(strings(d.path("hosts")), strings(d.path("secrets")),
                strings(d.path("mutating_tools")));
    }

    private static List<String> strings(JsonNode array) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static List<String> minus(List<String> a, List<String> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    /** A stored version's semver; stored versions were checked on upload. */
    private static com.github.zafarkhaja.semver.Version semver(String version) {
        return com.github.zafarkhaja.semver.Version.parse(version);
    }

    private static PluginVersion row(DbRow r) {
        try {
            String extensions = r.column(9).get(String.class);
            return new PluginVersion(r.column(1).get(String.class), r.column(2).get(String.class),
                    r.column(3).get(String.class), ((Number) r.column(4).get(Object.class)).longValue(),
                    r.column(5).get(String.class), r.column(6).get(String.class), Database.optionalString(r.column(7)),
                    JSON.readTree(r.column(8).get(String.class)),
                    extensions.isEmpty() ? List.of() : List.of(extensions.split("\n")),
                    Database.optionalString(r.column(10)), Database.optionalString(r.column(11)),
                    Database.instant(r.column(12)).orElseThrow(), Database.instant(r.column(13)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored descriptor is unreadable", e);
        }
    }
}
