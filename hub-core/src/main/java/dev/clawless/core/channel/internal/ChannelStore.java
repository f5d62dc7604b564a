package dev.clawless.core.channel.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.store.Database;

/** JDBC access to {@code channel_connections}. */
public final class ChannelStore {

    private static final String COLUMNS = "id, tenant_id, type, name, config, secrets, secret_names, enabled,"
            + " poll_cursor, poll_error, created_at, updated_at";

    /** A stored connection; {@code sealedSecrets} is the vault's ciphertext of a JSON object. */
    public record Row(String id, String tenantId, String type, String name, String config, String sealedSecrets,
                      List<String> secretNames, boolean enabled, Optional<String> pollCursor,
                      Optional<String> pollError, Instant createdAt, Instant updatedAt) {
        @Override
        public String toString() {
            return "Row[id=" + id + ", tenantId=" + tenantId + ", type=" + type + ", secrets=****]";
        }
    }

    public void insert(DbExecute tx, Row r) {
        tx.createInsert("INSERT INTO channel_connections (id, tenant_id, type, name, config, secrets, secret_names,"
                        + " enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(r.id(), r.tenantId(), r.type(), r.name(), r.config(), r.sealedSecrets(),
                        String.join(",", r.secretNames()), r.enabled(), Database.timestamp(r.createdAt()),
                        Database.timestamp(r.updatedAt()))
                .execute();
    }

    public void update(DbExecute tx, Row r) {
        tx.createUpdate("UPDATE channel_connections SET name = ?, config = ?, secrets = ?, secret_names = ?,"
                        + " enabled = ?, updated_at = ? WHERE id = ? AND tenant_id = ?")
                .params(r.name(), r.config(), r.sealedSecrets(), String.join(",", r.secretNames()), r.enabled(),
                        Database.timestamp(r.updatedAt()), r.id(), r.tenantId())
                .execute();
    }

    public Optional<Row> find(DbExecute exec, String id) {
        return exec.createGet("SELECT " + COLUMNS + " FROM channel_connections WHERE id = ?").params(id).execute()
                .map(ChannelStore::row);
    }

    public Optional<Row> find(DbExecute exec, String tenantId, String id) {
        return exec.createGet("SELECT " + COLUMNS + " FROM channel_connections WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(ChannelStore::row);
    }

    public List<Row> list(DbExecute exec, String tenantId) {
        return exec.createQuery("SELECT " + COLUMNS + " FROM channel_connections WHERE tenant_id = ? ORDER BY id")
                .params(tenantId).execute().map(ChannelStore::row).toList();
    }

    /** Every enabled connection, of any type (built-in or a plugin's), for the pollers. */
    public List<Row> enabled(DbExecute exec) {
        return exec.createQuery("SELECT " + COLUMNS + " FROM channel_connections WHERE enabled = TRUE ORDER BY id")
                .execute().map(ChannelStore::row).toList();
    }

    /** Every enabled connection of the given types. */
    public List<Row> enabled(DbExecute exec, List<String> types) {
        if (types.isEmpty()) {
            return List.of();
        }
        return exec.createQuery("SELECT " + COLUMNS + " FROM channel_connections WHERE enabled = TRUE AND type IN ("
                        + String.join(", ", types.stream().map(t -> "?").toList()) + ") ORDER BY id")
                .params(List.copyOf(types)).execute().map(ChannelStore::row).toList();
    }

    public long count(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT COUNT(*) FROM channel_connections WHERE tenant_id = ?").params(tenantId)
                .execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    public boolean delete(DbExecute tx, String tenantId, String id) {
        return tx.createDelete("DELETE FROM channel_connections WHERE tenant_id = ? AND id = ?").params(tenantId, id)
                .execute() == 1;
    }

    /** Takes or renews the poll lease of a connection for {@code owner}; true when it holds it until {@code until}. */
    public boolean lease(DbExecute exec, String id, String owner, Instant until, Instant now) {
        return exec.createUpdate("UPDATE channel_connections SET poll_owner = ?, poll_until = ? WHERE id = ?"
                        + " AND enabled = TRUE AND (poll_owner IS NULL OR poll_owner = ? OR poll_until < ?)")
                .params(owner, Database.timestamp(until), id, owner, Database.timestamp(now))
                .execute() == 1;
    }

    public void release(DbExecute exec, String id, String owner) {
        exec.createUpdate("UPDATE channel_connections SET poll_owner = NULL, poll_until = NULL WHERE id = ?"
                        + " AND poll_owner = ?")
                .params(id, owner).execute();
    }

    public void saveCursor(DbExecute exec, String id, String cursor) {
        exec.createUpdate("UPDATE channel_connections SET poll_cursor = ?, poll_error = NULL WHERE id = ?")
                .params(cursor, id).execute();
    }

    public void pollError(DbExecute exec, String id, String error) {
        exec.createUpdate("UPDATE channel_connections SET poll_error = ? WHERE id = ?").params(error, id).execute();
    }

    /**
     * Records the first use of a once-only value of a connection's webhooks; true when this is its first use or a
     * retry of the same body, false when it came before with another body (a replay). Expired values are forgotten.
     */
    public boolean firstUseOrRetry(DbExecute tx, String connectionId, String key, String bodySha256, Instant expires,
                                   Instant now) {
        tx.createDelete("DELETE FROM webhook_replays WHERE expires_at < ?").params(Database.timestamp(now)).execute();
        long inserted = tx.createInsert("INSERT INTO webhook_replays (connection_id, replay_key, body_sha256,"
                        + " expires_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(connectionId, key, bodySha256, Database.timestamp(expires)).execute();
        if (inserted == 1) {
            return true;
        }
        return tx.createGet("SELECT body_sha256 FROM webhook_replays WHERE connection_id = ? AND replay_key = ?")
                .params(connectionId, key).execute().map(r -> r.column(1).get(String.class).equals(bodySha256))
                .orElse(true);
    }

    private static Row row(DbRow r) {
        String names = r.column(7).get(String.class);
        return new Row(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), r.column(5).get(String.class), r.column(6).get(String.class),
                names.isEmpty() ? List.of() : Arrays.asList(names.split(",")),
                Boolean.TRUE.equals(r.column(8).get(Boolean.class)), Database.optionalString(r.column(9)),
                Database.optionalString(r.column(10)), Database.instant(r.column(11)).orElseThrow(),
                Database.instant(r.column(12)).orElseThrow());
    }
}
