package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.InboundEvent;

/**
 * The durable first stop of every event a channel receives (webhook or poll): {@link #append} returns once the events
 * are committed, and only then may the platform be acknowledged. Concurrent requests share a commit: one writer thread
 * takes every request waiting at that moment and stores all their events with one multi-row insert that skips an event
 * already waiting ({@code ON CONFLICT DO NOTHING} on the connection and the event's {@link InboundEventCodec#dedupeKey
 * key}), so the cost of a commit is paid once per batch rather than once per request. While one batch commits, the next
 * gathers.
 *
 * <p>A batch that fails (a tenant deleted meanwhile, the database gone) is written again request by request, so that
 * one unfit request is refused alone. The {@link InboundDeriver} turns the rows into conversations and messages.
 */
public final class InboundLog implements AutoCloseable {

    /** Most events in one insert (6 parameters each: far below any driver's limit). */
    static final int MAX_BATCH = 500;
    /** How long a request waits for its batch before it is refused with 503. */
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Logger LOG = Logger.getLogger(InboundLog.class.getName());

    /** One event of a request, ready to store. */
    record Entry(String tenantId, String connectionId, String dedupeKey, String event, String traceParent) {
    }

    private record Pending(List<Entry> entries, CompletableFuture<Void> done) {
    }

    private final Database database;
    private final Clock clock;
    private final Runnable stored;
    private final AcksFirst acksFirst;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();
    private final LoopThread loop = new LoopThread("clawless-inbound-writer", this::run);

    /**
     * @param stored called after each batch commits (the deriver's wake-up)
     */
    public InboundLog(Database database, Clock clock, Runnable stored) {
        this(database, clock, stored, AcksFirst.OFF);
    }

    /**
     * @param stored    called after each batch commits (the deriver's wake-up)
     * @param acksFirst told of every batch, so that background work waits while acknowledging is busy
     */
    public InboundLog(Database database, Clock clock, Runnable stored, AcksFirst acksFirst) {
        this.database = database;
        this.clock = clock;
        this.stored = stored;
        this.acksFirst = acksFirst;
    }

    public void start() {
        loop.start();
    }

    @Override
    public void close() {
        loop.stop();
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(new ClawlessException.Unavailable("the hub is shutting down"));
        }
    }

    /**
     * Stores the events of one request (all or none) and returns once they are committed.
     *
     * @throws ClawlessException.Unavailable the hub is stopping, or the batch did not commit in time
     * @throws RuntimeException               the database refused the request's events (rethrown as it failed)
     */
    public void append(String tenantId, List<InboundEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        if (!loop.running()) {
            throw new ClawlessException.Unavailable("the hub is not accepting events now");
        }
        List<Entry> entries = new ArrayList<>(events.size());
        // the request's trace, continued by the turn and the delivery this event leads to
        String trace = dev.clawless.core.common.Tracing.currentParent().orElse(null);
        for (InboundEvent event : events) {
            String connectionId = switch (event) {
                case dev.clawless.plugin.api.InboundMessage m -> m.connectionId();
                case dev.clawless.plugin.api.DeliveryUpdate u -> u.connectionId();
            };
            entries.add(new Entry(tenantId, connectionId, InboundEventCodec.dedupeKey(event),
                    InboundEventCodec.encode(event), trace));
        }
        Pending pending = new Pending(entries, new CompletableFuture<>());
        queue.add(pending);
        try {
            pending.done().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClawlessException.Unavailable("interrupted while storing the events");
        } catch (TimeoutException e) {
            // it may still commit; the platform's retry is then the same key and is not stored twice
            throw new ClawlessException.Unavailable("the events were not stored in time; try again");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Batches written since start (each one insert, whatever the number of requests in it). */
    public long batches() {
        return batches.get();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (loop.running()) {
            try {
                batch.add(queue.take());
                int events = batch.get(0).entries().size();
                Pending next;
                while (events < MAX_BATCH && (next = queue.peek()) != null
                        && events + next.entries().size() <= MAX_BATCH) {
                    batch.add(queue.poll());
                    events += next.entries().size();
                }
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "the inbound writer failed a batch", e);
                batch.forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        batches.incrementAndGet();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try {
            insert(batch.stream().flatMap(p -> p.entries().stream()).toList(), now);
            acksFirst.batchWritten(batch.size());
            batch.forEach(p -> p.done().complete(null));
        } catch (RuntimeException batchFailed) {
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(batchFailed);
            } else {
                for (Pending p : batch) { // one by one, so that only an unfit request is refused
                    try {
                        insert(p.entries(), now);
                        p.done().complete(null);
                    } catch (RuntimeException e) {
                        p.done().completeExceptionally(e);
                    }
                }
            }
        }
        stored.run();
    }

    /** One auto-committed statement: atomic on its own, and a round trip fewer than a transaction around it. */
    private void insert(List<Entry> entries, Instant now) {
        StringBuilder sql = new StringBuilder("INSERT INTO inbound_log (tenant_id, connection_id, dedupe_key, event,"
                + " received_at, trace_parent) VALUES ");
        List<Object> params = new ArrayList<>(entries.size() * 6);
        Set<String> seen = new HashSet<>();
        Object at = Database.timestamp(now);
        for (Entry e : entries) {
            if (!seen.add(e.connectionId() + "\n" + e.dedupeKey())) {
                continue; // the same event twice in one batch: a platform retrying while the first waits
            }
            sql.append(params.isEmpty() ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
            params.add(e.tenantId());
            params.add(e.connectionId());
            params.add(e.dedupeKey());
            params.add(e.event());
            params.add(at);
            params.add(e.traceParent());
        }
        sql.append(" ON CONFLICT DO NOTHING");
        database.ingest(() -> database.execute().createInsert(sql.toString()).params(params).execute());
    }
}
