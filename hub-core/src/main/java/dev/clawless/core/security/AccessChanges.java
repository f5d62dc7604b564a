package dev.clawless.core.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.clawless.core.security.internal.AuditStore;
import dev.clawless.core.store.Database;

/**
 * The changes that can take a caller's access away, read from the audit log, where every node records them in the
 * transaction that makes them: a key revoked or rotated, a tenant suspended or deleted (or a second factor required), a
 * member removed or their role changed, a browser session ended, a password changed or reset, a connection changed or
 * deleted. Each names in its target the id whose holders must be judged again (the key, tenant, person, session or
 * connection), so a long-lived answer such as an event stream asks again only when one of its ids is named, instead of
 * every few seconds.
 *
 * <p>Read in id order after the last entry seen. An id skipped because its transaction had not committed yet (ids are
 * allocated before commit) is asked for again for {@link #LATE}, so a revocation that commits late is not missed.
 * Not thread-safe: one reader per node (the event pump) calls {@link #poll}.
 */
public final class AccessChanges {

    /** Audit actions that can end a caller's access. */
    public static final Set<String> ACTIONS = Set.of("tenant.suspended", "tenant.deleted", "tenant.totp_required",
            "api_key.revoked", "api_key.rotated", "member.removed", "member.role_changed", "account.logout",
            "account.session_revoked", "account.password_changed", "account.password_reset", "channel.updated",
            "channel.deleted");
    /** How long an id skipped by a transaction still open is asked for again. */
    public static final Duration LATE = Duration.ofSeconds(60);
    private static final int BATCH = 500;
    private static final int MAX_LATE = 1000;

    private final Database database;
    private final AuditStore store = new AuditStore();
    /** Skipped ids and until when (System.nanoTime) they are asked for. */
    private final Map<Long, Long> late = new LinkedHashMap<>();
    private long lastSeen = -1;

    public AccessChanges(Database database) {
        this.database = database;
    }

    /** One change: the audit action and the id it names. */
    public record Change(String action, String targetId) {
    }

    /**
     * The access changes recorded since the last call (the first call only notes where the log ends: what happened
     * before a node started concerns no answer it serves).
     */
    public List<Change> poll() {
        if (lastSeen < 0) {
            lastSeen = store.newestId(database.execute());
            return List.of();
        }
        long now = System.nanoTime();
        late.values().removeIf(until -> until - now < 0);
        List<Change> out = new ArrayList<>();
        while (true) {
            List<AuditStore.Brief> batch = store.after(database.execute(), lastSeen, late.keySet(), BATCH);
            for (AuditStore.Brief e : batch) {
                if (late.remove(e.id()) == null) {
                    if (e.id() <= lastSeen) {
                        continue;
                    }
                    for (long skipped = Math.max(lastSeen + 1, e.id() - MAX_LATE); skipped < e.id(); skipped++) {
                        late.put(skipped, now + LATE.toNanos());
                    }
                    lastSeen = e.id();
                }
                if (ACTIONS.contains(e.action()) && e.targetId().isPresent()) {
                    out.add(new Change(e.action(), e.targetId().get()));
                }
            }
            trim();
            if (batch.size() < BATCH) {
                return out;
            }
        }
    }

    /** How many skipped ids are still asked for (a rolled-back transaction's ids stay here until {@link #LATE}). */
    public int lateIds() {
        return late.size();
    }

    private void trim() {
        Iterator<Long> oldest = late.keySet().iterator();
        while (late.size() > MAX_LATE && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
