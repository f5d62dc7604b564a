package dev.clawless.core.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.JsonMappers;

/**
 * What a backup archive holds, written as its last entry ({@code manifest.json}): the format, the hub and schema
 * versions, where it was taken from, every table (its columns in order and its row count) and every other entry with
 * its size and SHA-256.
 */
public record BackupManifest(int format, String hubVersion, String schemaVersion, String vendor, Instant createdAt,
                             List<Table> tables, List<FileEntry> files) {

    public static final int FORMAT = 1;
    private static final ObjectMapper MAPPER = JsonMappers.create();
    public static final String NAME = "manifest.json";

    /** One table's dump: {@code db/<name>.jsonl}, one JSON object per row. */
    public record Table(String name, List<String> columns, long rows) {
        public String entry() {
            return "db/" + name + ".jsonl";
        }
    }

    /** One entry of the archive besides the manifest. */
    public record FileEntry(String path, long size, String sha256) {
    }

    public BackupManifest {
        tables = List.copyOf(tables);
        files = List.copyOf(files);
    }

    public long rows() {
        return tables.stream().mapToLong(Table::rows).sum();
    }

    byte[] toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", format).put("hub_version", hubVersion).put("schema_version", schemaVersion)
                .put("vendor", vendor).put("created_at", createdAt.toString());
        ArrayNode t = root.putArray("tables");
        for (Table table : tables) {
            ObjectNode n = t.addObject().put("name", table.name()).put("rows", table.rows());
            table.columns().forEach(n.putArray("columns")::add);
        }
        ArrayNode f = root.putArray("files");
        files.forEach(e -> f.addObject().put("path", e.path()).put("size", e.size()).put("sha256", e.sha256()));
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static BackupManifest fromJson(byte[] json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            List<Table> tables = new ArrayList<>();
            for (JsonNode n : required(root, "tables")) {
                List<String> columns = new ArrayList<>();
                required(n, "columns").forEach(c -> columns.add(c.asText()));
                tables.add(new Table(text(n, "name"), columns, required(n, "rows").asLong()));
            }
            List<FileEntry> files = new ArrayList<>();
            for (JsonNode n : required(root, "files")) {
                files.add(new FileEntry(text(n, "path"), required(n, "size").asLong(), text(n, "sha256")));
            }
            return new BackupManifest(required(root, "format").asInt(), text(root, "hub_version"),
                    text(root, "schema_version"), text(root, "vendor"), Instant.parse(text(root, "created_at")),
                    tables, files);
        } catch (java.io.IOException | RuntimeException e) {
            throw new BackupRefused("the manifest is not readable: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }

    private static String text(JsonNode node, String field) {
        return required(node, field).asText();
    }
}
