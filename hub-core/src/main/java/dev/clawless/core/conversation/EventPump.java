package dev.clawless.core.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.dbclient.DbRow;

import dev.clawless.core.store.Database;

/**
 * This node's one reader of new conversation events: a single thread asks the database every {@link #TICK} for the
 * events after the last one it saw ({@code WHERE id > ?}, one query per tick whatever the number of streams) and hands
 * each to the subscribers of its conversation and of its tenant. Events written on other nodes arrive the same way,
 * through the shared table.
 *
 * <p>A subscriber is a bounded queue: the pump never waits for a reader. When a queue is full the pump drops the
 * event and marks the subscription {@link Subscription#overflowed() overflowed}; its reader then reads the events
 * after its last id from the database again (the same replay as after {@code Last-Event-ID}) and goes on.
 */
public final class EventPump implements AutoCloseable {

    /** How often the database is asked for new events. */
    public static final Duration TICK = Duration.ofMillis(50);
    /** How long the pump waits at a gap in event ids for the transaction that took them to commit. */
    public static final Duration GAP_WAIT = Duration.ofSeconds(2);
    /** Events one subscriber may have waiting before it falls back to the database. */
    public static final int CAPACITY = 256;
    private static final int BATCH = 500;
    private static final Logger LOG = Logger.getLogger(EventPump.class.getName());

    private final Database database;
    private final Duration tick;
    private final Map<String, Set<Subscription>> byConversation = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscription>> byTenant = new ConcurrentHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Semaphore nudge = new Semaphore(0);
    private volatile long lastSeen;
    /** Only the pump's thread: whether it delivered any event yet, and since when (nanoTime) it waits at a gap. */
    private boolean sawAny;
    private long gapSince;
    private volatile Thread thread;

    public EventPump(Database database) {
        this(database, TICK);
    }

    public EventPump(Database database, Duration tick) {
        this.database = database;
        this.tick = tick;
    }

    /** Starts reading after the newest event stored now. */
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        lastSeen = database.execute().createGet("SELECT MAX(id) FROM conversation_events").execute()
                .flatMap(r -> Database.optionalLong(r.column(1))).orElse(0L);
        Thread t = new Thread(this::run, "clawless-event-pump");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Stops the thread; subscriptions get nothing more. */
    @Override
    public synchronized void close() {
        running.set(false);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Events of one conversation ({@code conversationId} given) or of every conversation of the tenant (null), from
     * now on. Close it when the stream ends.
     */
    public Subscription subscribe(String tenantId, String conversationId) {
        Subscription s = new Subscription(tenantId, conversationId, CAPACITY);
        Map<String, Set<Subscription>> index = conversationId == null ? byTenant : byConversation;
        index.compute(conversationId == null ? tenantId : conversationId, (k, set) -> {
            Set<Subscription> out = set == null ? ConcurrentHashMap.newKeySet() : set;
            out.add(s);
            return out;
        });
        return s;
    }

    /** Reads now rather than at the next tick (another node wrote events). */
    public void wake() {
        nudge.release();
    }

    /** How many queries the pump has run since it started (one per tick when idle). */
    public long queries() {
        return queries.get();
    }

    /** How many subscriptions are open on this node. */
    public int subscribers() {
        int n = 0;
        for (Set<Subscription> s : byConversation.values()) {
            n += s.size();
        }
        for (Set<Subscription> s : byTenant.values()) {
            n += s.size();
        }
        return n;
    }

    private void run() {
        while (running.get()) {
            try {
                pumpOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "reading new conversation events failed; trying again", e);
            }
            try {
                if (nudge.tryAcquire(tick.toNanos(), TimeUnit.NANOSECONDS)) {
                    nudge.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pumpOnce() {
        while (true) {
            queries.incrementAndGet();
            List<Stored> batch = database.execute().createQuery("SELECT id, tenant_id, conversation_id, type, data,"
                            + " created_at FROM conversation_events WHERE id > ? ORDER BY id LIMIT " + BATCH)
                    .params(lastSeen).execute().map(EventPump::stored).toList();
            for (Stored s : batch) {
                if (held(s.event.id())) {
                    return;
                }
                deliver(byConversation.get(s.event.conversationId()), s);
                deliver(byTenant.get(s.tenantId), s);
                lastSeen = s.event.id();
            }
            if (batch.size() < BATCH) {
                return;
            }
        }
    }

    /**
     * Whether to stop before the event with {@code id} for now. Ids are taken when a transaction inserts and become
     * visible when it commits, so a long transaction (the inbound deriver's batch) can commit after a short one that
     * took a later id. Passing such a gap would skip the late events for good (streams resume after the last id they
     * sent); so the pump waits at a gap up to {@link #GAP_WAIT}, then goes on (the ids of a rolled-back transaction
     * never fill). The first event after start is taken as it comes: a restarted database may leave a gap.
     */
    private boolean held(long id) {
        if (id == lastSeen + 1 || !sawAny) {
            sawAny = true;
            gapSince = 0;
            return false;
        }
        long now = System.nanoTime();
        if (gapSince == 0) {
            gapSince = now;
        }
        if (now - gapSince < GAP_WAIT.toNanos()) {
            return true;
        }
        gapSince = 0;
        return false;
    }

    private static void deliver(Set<Subscription> subscribers, Stored s) {
        if (subscribers == null) {
            return;
        }
        for (Subscription sub : subscribers) {
            if (sub.tenantId.equals(s.tenantId)) {
                sub.offer(s.event);
            }
        }
    }

    private static Stored stored(DbRow r) {
        return new Stored(r.column(2).get(String.class), new ConversationEvent(((Number) r.column(1)
                .get(Object.class)).longValue(), r.column(3).get(String.class), r.column(4).get(String.class),
                r.column(5).get(String.class), Database.instant(r.column(6)).orElseThrow()));
    }

    private record Stored(String tenantId, ConversationEvent event) {
    }

    /**
     * One reader's events: a bounded queue the pump fills and a signal the reader parks on (a parked virtual thread
     * costs no CPU). Others (e.g. live text deltas) may {@link #signal} it too.
     */
    public final class Subscription implements AutoCloseable {

        private final String tenantId;
        private final String conversationId;
        private final LinkedBlockingQueue<ConversationEvent> queue;
        private final Semaphore signal = new Semaphore(0);
        private final AtomicBoolean overflowed = new AtomicBoolean();

        private Subscription(String tenantId, String conversationId, int capacity) {
            this.tenantId = tenantId;
            this.conversationId = conversationId;
            // bounded, and no array allocated up front: an idle stream holds no buffer
            this.queue = new LinkedBlockingQueue<>(capacity);
        }

        private void offer(ConversationEvent e) {
            if (!queue.offer(e)) {
                overflowed.set(true);
            }
            signal.release();
        }

        /** Wakes the reader. */
        public void signal() {
            signal.release();
        }

        /** Parks until the pump or {@link #signal} wakes it, or {@code timeout} passes. */
        public void await(Duration timeout) throws InterruptedException {
            if (signal.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                signal.drainPermits();
            }
        }

        /**
         * Whether events were dropped since the last call because the reader fell behind (the flag is cleared and
         * waiting events discarded): the reader must read from the database after its last id.
         */
        public boolean overflowed() {
            if (overflowed.compareAndSet(true, false)) {
                queue.clear();
                return true;
            }
            return false;
        }

        /** The events waiting, oldest first. */
        public List<ConversationEvent> drain() {
            List<ConversationEvent> out = new ArrayList<>();
            queue.drainTo(out);
            return out;
        }

        @Override
        public void close() {
            Map<String, Set<Subscription>> index = conversationId == null ? byTenant : byConversation;
            String key = conversationId == null ? tenantId : conversationId;
            index.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
