package dev.clawless.core.usage.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.store.Database;
import dev.clawless.core.usage.UsageRow;

/**
 * JDBC access to {@code usage_monthly} and {@code usage_daily}: increments that are safe under concurrency, and
 * reads.
 */
public final class UsageStore {

    /** Adds to a tenant's counters for the period and model, creating the row on first use. */
    public void add(DbExecute tx, String tenantId, String period, UsageRow delta, Instant now) {
        upsert(tx, "usage_monthly", "period", tenantId, period, delta, now);
    }

    /** Adds to a tenant's counters for the UTC day and model, creating the row on first use. */
    public void addDaily(DbExecute tx, String tenantId, LocalDate day, UsageRow delta, Instant now) {
        upsert(tx, "usage_daily", "usage_day", tenantId, day, delta, now);
    }

    /** An increment, else an insert that may lose a race to another insert (then the increment again). */
    private void upsert(DbExecute tx, String table, String keyColumn, String tenantId, Object key, UsageRow d,
                        Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            long updated = tx.createUpdate("UPDATE " + table + " SET messages = messages + ?, tokens_in = tokens_in"
                            + " + ?, tokens_out = tokens_out + ?, cost_micros = cost_micros + ?, updated_at = ?"
                            + " WHERE tenant_id = ? AND " + keyColumn + " = ? AND provider = ? AND model = ?")
                    .params(d.messages(), d.tokensIn(), d.tokensOut(), d.costMicros(), Database.timestamp(now),
                            tenantId, key, d.provider(), d.model())
                    .execute();
            if (updated == 1) {
                return;
            }
            long inserted = tx.createInsert("INSERT INTO " + table + " (tenant_id, " + keyColumn + ", provider, model,"
                            + " messages, tokens_in, tokens_out, cost_micros, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(tenantId, key, d.provider(), d.model(), d.messages(), d.tokensIn(), d.tokensOut(),
                            d.costMicros(), Database.timestamp(now))
                    .execute();
            if (inserted == 1) {
                return;
            }
        }
        throw new IllegalStateException("could not record usage for " + tenantId);
    }

    public List<UsageRow> rows(DbExecute exec, String tenantId, String period) {
        return exec.createQuery("SELECT provider, model, messages, tokens_in, tokens_out, cost_micros FROM usage_monthly"
                        + " WHERE tenant_id = ? AND period = ? ORDER BY provider, model")
                .params(tenantId, period)
                .execute()
                .map(r -> new UsageRow(r.column(1).get(String.class), r.column(2).get(String.class),
                        number(r.column(3).get(Object.class)), number(r.column(4).get(Object.class)),
                        number(r.column(5).get(Object.class)), number(r.column(6).get(Object.class))))
                .toList();
    }

    private static long number(Object o) {
        return ((Number) o).longValue();
    }
}
