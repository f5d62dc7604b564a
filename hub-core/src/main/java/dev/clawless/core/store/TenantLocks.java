package dev.clawless.core.store;

import io.helidon.dbclient.DbExecute;

/**
 * One thing of a tenant at a time: a transaction that locks a tenant's {@code purpose} holds it until it ends, and
 * another one locking the same purpose waits. A row of {@code tenant_locks}, never the tenant's own row (see
 * {@code V18__tenant_locks.sql}).
 */
public final class TenantLocks {

    private TenantLocks() {
    }

    /** Locks the tenant's {@code purpose} until the transaction ends (the row is made the first time). */
    public static void lock(DbExecute tx, String tenantId, String purpose) {
        tx.createInsert("INSERT INTO tenant_locks (tenant_id, purpose) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(tenantId, purpose).execute();
        tx.createGet("SELECT tenant_id FROM tenant_locks WHERE tenant_id = ? AND purpose = ? FOR UPDATE")
                .params(tenantId, purpose).execute();
    }
}
