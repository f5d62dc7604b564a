package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;

/**
 * Turns the {@link InboundLog}'s rows, oldest first, into what they mean: a message (with its contact, conversation,
 * events and turn job, through {@link ConversationManagement}) or a delivery status. A batch of rows is derived in one
 * transaction, which also deletes them, so each row takes effect once, also across a crash.
 *
 * <p>One hub derives at a time: the transaction first locks the {@code inbound_deriver} row, and rows another hub
 * derived meanwhile are gone when it reads them again. That keeps the log's order, and so the order of one
 * conversation's messages, across nodes. A batch that fails is derived again row by row; a row that keeps failing is
 * set aside after {@link #MAX_ATTEMPTS} ({@code failed_at}, with its error, and logged) rather than blocking the rest.
 *
 * <p>It runs when this node's writer has stored a batch, and every {@link #IDLE_CHECK} for rows other nodes (or a hub
 * that stopped) left behind.
 */
public final class InboundDeriver implements AutoCloseable {

    static final int BATCH = 100;
    static final int MAX_ATTEMPTS = 5;
    private static final Duration IDLE_CHECK = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(InboundDeriver.class.getName());

    private final Database database;
    private final ConversationManagement conversations;
    private final Clock clock;
    private final Runnable jobsEnqueued;
    private final AcksFirst acksFirst;
    private final Semaphore signal = new Semaphore(0);
    private final AtomicLong derived = new AtomicLong();
    private final LoopThread loop = new LoopThread("clawless-inbound-deriver", this::run);

    /**
     * @param jobsEnqueued called after a batch that enqueued turn jobs commits (the job workers' wake-up)
     */
    public InboundDeriver(Database database, ConversationManagement conversations, Clock clock,
                          Runnable jobsEnqueued) {
        this(database, conversations, clock, jobsEnqueued, AcksFirst.OFF);
    }

    /**
     * @param jobsEnqueued called after a batch that enqueued turn jobs commits (the job workers' wake-up)
     * @param acksFirst    holds each batch back while this node's acknowledgements are busy (for a bounded time)
     */
    public InboundDeriver(Database database, ConversationManagement conversations, Clock clock,
                          Runnable jobsEnqueued, AcksFirst acksFirst) {
        this.acksFirst = acksFirst;
        this.database = database;
        this.conversations = conversations;
        this.clock = clock;
        this.jobsEnqueued = jobsEnqueued;
    }

    public void start() {
        loop.start();
    }

    @Override
    public void close() {
        loop.stop();
    }

    /** Asks for a pass soon (rows were stored). */
    public void wake() {
        signal.release();
    }

    /** Rows derived by this node since it started. */
    public long derived() {
        return derived.get();
    }

    /** Rows waiting in the log (all nodes'), set-aside ones excluded. */
    public long backlog() {
        return state().waiting();
    }

    /** What the log holds: rows waiting to be derived, and rows set aside after failing. */
    public record State(long waiting, long setAside) {
    }

    public State state() {
        return database.execute().createGet("SELECT SUM(CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END),"
                        + " SUM(CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END) FROM inbound_log").execute()
                .map(r -> new State(Database.optionalLong(r.column(1)).orElse(0L),
                        Database.optionalLong(r.column(2)).orElse(0L)))
                .orElse(new State(0, 0));
    }

    private void run() {
        Duration backoff = Duration.ZERO;
        while (loop.running()) {
            try {
                signal.tryAcquire(backoff.isZero() ? IDLE_CHECK.toMillis() : backoff.toMillis(), TimeUnit.MILLISECONDS);
                signal.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            try {
                do {
                    acksFirst.awaitTurn(); // acknowledgements first while they are busy
                } while (loop.running() && deriveBatch() > 0); // until the log is empty
                backoff = Duration.ZERO;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                backoff = backoff.isZero() ? Duration.ofMillis(250)
                        : backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                LOG.log(Level.WARNING, "deriving inbound events failed; trying again in " + backoff.toMillis() + " ms",
                        e);
            }
        }
    }

    /**
     * Derives the oldest waiting rows; how many took effect (0: the log is empty, or every row failed this time and
     * the next pass waits for the idle check).
     */
    int deriveBatch() {
        List<Row> rows = database.execute().createQuery("SELECT id, tenant_id, event, attempts, trace_parent FROM inbound_log"
                        + " WHERE failed_at IS NULL ORDER BY id LIMIT " + BATCH)
                .execute().map(InboundDeriver::row).toList();
        if (rows.isEmpty()) {
            return 0;
        }
        List<Prepared> prepared = new ArrayList<>(rows.size());
        for (Row row : rows) {
            try {
                InboundEvent event = InboundEventCodec.decode(row.event());
                Optional<IntentDetector.DetectedIntent> intent = event instanceof InboundMessage m
                        ? conversations.detectIntent(row.tenantId(), m) : Optional.empty();
                prepared.add(new Prepared(row, event, intent));
            } catch (RuntimeException e) {
                setAside(row, e, MAX_ATTEMPTS); // unreadable: trying again will not help
            }
        }
        int done = rows.size() - prepared.size();
        try {
            derive(prepared);
            return rows.size();
        } catch (RuntimeException batchFailed) {
            if (prepared.size() == 1) {
                setAside(prepared.get(0).row(), batchFailed, prepared.get(0).row().attempts() + 1);
                return done;
            }
            for (Prepared p : prepared) {
                try {
                    derive(List.of(p));
                    done++;
                } catch (RuntimeException e) {
                    setAside(p.row(), e, p.row().attempts() + 1);
                }
            }
            return done;
        }
    }

    private void derive(List<Prepared> batch) {
        if (batch.isEmpty()) {
            return;
        }
        boolean enqueued = database.inTransaction(tx -> {
            tx.createQuery("SELECT name FROM inbound_deriver WHERE name = 'inbound' FOR UPDATE").execute().count();
            Set<Long> waiting = tx.createQuery("SELECT id FROM inbound_log WHERE id IN ("
                            + batch.stream().map(p -> Long.toString(p.row().id())).collect(Collectors.joining(", "))
                            + ")")
                    .execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue())
                    .collect(Collectors.toCollection(HashSet::new));
            boolean jobs = false;
            List<Long> done = new ArrayList<>();
            for (Prepared p : batch) {
                if (!waiting.contains(p.row().id())) {
                    continue; // derived by another node meanwhile
                }
                jobs |= apply(tx, p);
                done.add(p.row().id());
            }
            if (!done.isEmpty()) {
                tx.createDelete("DELETE FROM inbound_log WHERE id IN ("
                        + done.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")").execute();
            }
            derived.addAndGet(done.size());
            return jobs;
        });
        if (enqueued) {
            jobsEnqueued.run();
        }
    }

    /** True when it enqueued a turn job. */
    private boolean apply(DbExecute tx, Prepared p) {
        try (io.opentelemetry.context.Scope trace = dev.clawless.core.common.Tracing.parent(p.row().traceParent())
                .makeCurrent()) {
            return applyInTrace(tx, p);
        }
    }

    private boolean applyInTrace(DbExecute tx, Prepared p) {
        return switch (p.event()) {
            case InboundMessage m -> conversations.ingest(tx, p.row().tenantId(), m, p.intent()).turnJobId().isPresent();
            case DeliveryUpdate u -> {
                if (u.readUpToThread().isPresent() && u.readUpToTime().isPresent()) {
                    conversations.deliveries().applyReadUpTo(tx, u.connectionId(), u.readUpToThread().get(),
                            u.readUpToTime().get());
                } else {
                    conversations.deliveries().applyDeliveryStatus(tx, u.connectionId(), u.externalMessageId(),
                            MessageStatus.valueOf(u.status().name()), u.error());
                }
                yield false;
            }
        };
    }

    /** Records a failed attempt; the last one sets the row aside. Throws when the database cannot be written. */
    private void setAside(Row row, RuntimeException e, int attempts) {
        String error = rootMessage(e);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        boolean dead = attempts >= MAX_ATTEMPTS;
        if (dead) {
            LOG.log(Level.SEVERE, "inbound event " + row.id() + " of tenant " + row.tenantId() + " could not be derived "
                    + attempts + " times; set aside (inbound_log.failed_at)", e);
        } else {
            LOG.log(Level.WARNING, "inbound event " + row.id() + " could not be derived (attempt " + attempts + ")", e);
        }
        database.execute().createUpdate("UPDATE inbound_log SET attempts = ?, last_error = ?, failed_at = ?"
                        + " WHERE id = ?")
                .params(attempts, error.length() > 1000 ? error.substring(0, 1000) : error,
                        dead ? Database.timestamp(now) : null, row.id())
                .execute();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static Row row(DbRow r) {
        return new Row(((Number) r.column(1).get(Object.class)).longValue(), r.column(2).get(String.class),
                r.column(3).get(String.class), ((Number) r.column(4).get(Object.class)).intValue(),
                dev.clawless.core.store.Database.optionalString(r.column(5)));
    }

    /** {@code traceParent}: the trace of the request that logged it, continued by the jobs it makes. */
    private record Row(long id, String tenantId, String event, int attempts, Optional<String> traceParent) {
    }

    private record Prepared(Row row, InboundEvent event, Optional<IntentDetector.DetectedIntent> intent) {
    }
}
