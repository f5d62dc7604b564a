package dev.clawless.core.security;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.security.internal.AuditStore;
import dev.clawless.core.store.Database;

/**
 * The append-only audit log. There is deliberately no way to change or delete an entry through the hub. Thread-safe.
 */
public final class AuditLog {

    private final Database database;
    private final AuditStore store;
    private final Clock clock;

    public AuditLog(Database database, Clock clock) {
        this.database = database;
        this.store = new AuditStore();
        this.clock = clock;
    }

    /**
     * Records an action inside the caller's transaction, so that the action and its record commit or roll back
     * together.
     *
     * @param tx       the transaction of the action
     * @param actor    who did it
     * @param tenantId the tenant concerned, if any
     * @param action   dotted verb, e.g. {@code tenant.created}
     * @param targetId what was acted on, if any
     * @param details  non-secret facts; must never contain secrets or key material
     */
    public void record(DbExecute tx, Actor actor, Optional<String> tenantId, String action, Optional<String> targetId,
                       Map<String, ?> details) {
        store.append(tx, clock.instant(), actor, tenantId, action, targetId, details);
    }

    /** Entries newest first, optionally only of one tenant and/or one action. */
    public Page<AuditEntry> list(Optional<String> tenantId, Optional<String> action, PageRequest page) {
        return store.list(database.execute(), tenantId, action, page);
    }
}
