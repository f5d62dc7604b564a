package dev.clawless.core.tenant.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.ApiKey;
import dev.clawless.core.tenant.Tenant;

/**
 * JDBC access to {@code api_keys}. Only SHA-256 hashes of secrets are ever written. Every method but
 * {@link #findForAuthentication} takes the tenant, so one tenant can never read or change another's keys.
 */
public final class ApiKeyStore {

    private static final String COLUMNS = "k.id, k.tenant_id, k.name, k.scopes, k.secret_hint, k.expires_at,"
            + " k.revoked_at, k.rotated_at, k.previous_secret_expires_at, k.created_at";

    /** A stored key with its hashes, for checking a presented secret. */
    public record StoredKey(ApiKey key, String secretHash, Optional<String> previousSecretHash) {
    }

    /** A stored key and its tenant, read in one query for authentication. */
    public record KeyAndTenant(StoredKey key, Tenant tenant) {
    }

    public void insert(DbExecute tx, ApiKey k, String secretHash) {
        tx.createInsert("INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, secret_hint, expires_at,"
                        + " created_at) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP WITH TIME ZONE), ?)")
                .params(k.id(), k.tenantId(), k.name(), ScopesColumn.write(k.scopes()), secretHash, k.hint(),
                        Database.timestamp(k.expiresAt()), Database.timestamp(k.createdAt()))
                .execute();
    }

    public Optional<StoredKey> find(DbExecute exec, String tenantId, String keyId, boolean forUpdate) {
        return exec.createGet("SELECT " + COLUMNS + ", k.secret_hash, k.previous_secret_hash FROM api_keys k"
                        + " WHERE k.tenant_id = ? AND k.id = ?" + (forUpdate ? " FOR UPDATE" : ""))
                .params(tenantId, keyId)
                .execute()
                .map(ApiKeyStore::stored);
    }

    /** The key of that id and its tenant, whatever the tenant: the presented key names its own id. */
    public Optional<KeyAndTenant> findForAuthentication(DbExecute exec, String keyId) {
        return exec.createGet("SELECT " + COLUMNS + ", k.secret_hash, k.previous_secret_hash, " + TenantStore.COLUMNS
                        + " FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = ?")
                .params(keyId)
                .execute()
                .map(row -> new KeyAndTenant(stored(row), TenantStore.read(row, 12)));
    }

    public Page<ApiKey> list(DbExecute exec, String tenantId, PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM api_keys k WHERE k.tenant_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(tenantId);
        page.cursor().ifPresent(c -> {
            sql.append(" AND k.id > ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY k.id LIMIT ").append(page.limit() + 1);
        List<ApiKey> rows = exec.createQuery(sql.toString()).params(params).execute().map(ApiKeyStore::key).toList();
        return Page.of(rows, page.limit(), k -> Cursors.encode(k.id()));
    }

    public long countUnrevoked(DbExecute exec, String tenantId) {
        return exec.createGet("SELECT COUNT(*) FROM api_keys WHERE tenant_id = ? AND revoked_at IS NULL")
                .params(tenantId)
                .execute()
                .map(row -> ((Number) row.column(1).get()).longValue())
                .orElse(0L);
    }

    public void rotate(DbExecute tx, String tenantId, String keyId, String newHash, String newHint,
                       String previousHash, Instant previousExpiresAt, Instant now) {
        tx.createUpdate("UPDATE api_keys SET secret_hash = ?, secret_hint = ?, previous_secret_hash = ?,"
                        + " previous_secret_expires_at = ?, rotated_at = ? WHERE tenant_id = ? AND id = ?")
                .params(newHash, newHint, previousHash, Database.timestamp(previousExpiresAt),
                        Database.timestamp(now), tenantId, keyId)
                .execute();
    }

    public void revoke(DbExecute tx, String tenantId, String keyId, Instant now) {
        tx.createUpdate("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL")
                .params(Database.timestamp(now), tenantId, keyId)
                .execute();
    }

    private static StoredKey stored(DbRow row) {
        return new StoredKey(key(row), row.column(11).get(String.class).trim(),
                Database.optionalString(row.column(12)).map(String::trim));
    }

    private static ApiKey key(DbRow row) {
        return new ApiKey(
                row.column(1).get(String.class),
                row.column(2).get(String.class),
                row.column(3).get(String.class),
                ScopesColumn.read(row.column(4).get(String.class)),
                row.column(5).get(String.class),
                Database.instant(row.column(6)),
                Database.instant(row.column(7)),
                Database.instant(row.column(8)),
                Database.instant(row.column(9)),
                Database.instant(row.column(10)).orElseThrow());
    }
}
