package dev.clawless.core.usage.internal;

import java.time.Instant;
import java.util.List;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.store.Database;
import dev.clawless.core.usage.UsageRow;

/** JDBC access to {@code usage_monthly}: increments that are safe under concurrency, and reads. */
public final class UsageStore {

    /** Adds to a tenant's counters for the period and model, creating the row on first use. */
    public void add(DbExecute tx, String tenantId, String period, UsageRow delta, Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (increment(tx, tenantId, period, delta, now) == 1) {
                return;
            }
            long inserted = tx.createInsert("INSERT INTO usage_monthly (tenant_id, period, provider, model, messages,"
                            + " tokens_in, tokens_out, cost_micros, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING")
                    .params(tenantId, period, delta.provider(), delta.model(), delta.messages(), delta.tokensIn(),
                            delta.tokensOut(), delta.costMicros(), Database.timestamp(now))
                    .execute();
            if (inserted == 1) {
                return;
            }
        }
        throw new IllegalStateException("could not record usage for " + tenantId);
    }

    private long increment(DbExecute tx, String tenantId, String period, UsageRow d, Instant now) {
        return tx.createUpdate("UPDATE usage_monthly SET messages = messages + ?, tokens_in = tokens_in + ?,"
                        + " tokens_out = tokens_out + ?, cost_micros = cost_micros + ?, updated_at = ?"
                        + " WHERE tenant_id = ? AND period = ? AND provider = ? AND model = ?")
                .params(d.messages(), d.tokensIn(), d.tokensOut(), d.costMicros(), Database.timestamp(now), tenantId,
                        period, d.provider(), d.model())
                .execute();
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
