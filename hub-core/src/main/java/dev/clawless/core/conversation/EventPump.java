package dev.clawless.core.conversation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
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

import dev.clawless.core.security.AccessChanges;
import dev.clawless.core.store.Database;

/**
 * This node's one reader of new conversation events: a single thread asks the database every {@link #TICK} for the
 * events after the last one it saw ({@code WHERE id > ?}, one query per tick whatever the number of streams) and hands
 * each to the subscribers of its conversation and of its tenant. Events written on other nodes arrive the same way,
 * through the shared table. A commit on this node (and, with Redis, on another) {@link #wake wakes} it at once; after
 * {@link #ACTIVE_FOR} without events it asks only every {@link #IDLE_TICK}, so an idle node costs a few queries a
 * second.
 *
 * <p>A subscriber is a bounded queue: the pump never waits for a reader. When a queue is full the pump drops the
 * event and marks the subscription {@link Subscription#overflowed() overflowed}; its reader then reads the events
 * after its last id from the database again (the same replay as after {@code Last-Event-ID}) and goes on.
 *
 * <p>Every {@link #ACCESS_TICK} the same thread also reads the {@link AccessChanges} recorded on any node (a key
 * revoked, a member removed, a session ended…) and tells each subscription that {@link Subscription#watchAccess
 * watches} an id a change names: its reader judges its caller's access again, once. An idle subscription costs no
 * query and no timer of its own.
 */
public final class EventPump implements AutoCloseable {

    /** How often the database is asked for new events. */
    public static final Duration TICK = Duration.ofMillis(50);
    /** How often the database is asked while nothing happened for {@link #ACTIVE_FOR}. */
    public static final Duration IDLE_TICK = Duration.ofMillis(250);
    /** How long after the last event or wake-up the pump keeps asking every {@link #TICK}. */
    public static final Duration ACTIVE_FOR = Duration.ofSeconds(2);
    /** The shortest time between two reads, however often commits wake the pump. */
    private static final Duration MIN_SPACING = Duration.ofMillis(20);
    /** How long the pump waits at a gap in event ids for the transaction that took them to commit. */
    public static final Duration GAP_WAIT = Duration.ofSeconds(2);
    /** How often the audit log is asked for changes of access (at the first tick after it is due). */
    public static final Duration ACCESS_TICK = Duration.ofMillis(250);
    /** How long the ids named by changes of access are kept for subscriptions that start watching late. */
    private static final Duration RECENT = Duration.ofSeconds(30);
    /** Events one subscriber may have waiting before it falls back to the database. */
    public static final int CAPACITY = 256;
    private static final int BATCH = 500;
    private static final Logger LOG = Logger.getLogger(EventPump.class.getName());

    private final Database database;
    private final Duration tick;
    private final Duration idleTick;
    private final AccessChanges access;
    private final Map<String, Set<Subscription>> byConversation = new ConcurrentHashMap<>();
    private final Map<String, Set<Subscription>> byTenant = new ConcurrentHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    /** The ids named by the changes of access read lately, with when they were read (System.nanoTime). */
    private final ArrayDeque<Recent> recent = new ArrayDeque<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Semaphore nudge = new Semaphore(0);
    private volatile long lastSeen;
    /** Only the pump's thread: whether it delivered any event yet, and since when (nanoTime) it waits at a gap. */
    private boolean sawAny;
    private long gapSince;
    private boolean failing;
    private volatile Thread thread;

    public EventPump(Database database) {
        this(database, TICK, IDLE_TICK);
    }

    /** A pump that asks every {@code tick}, busy or idle. */
    public EventPump(Database database, Duration tick) {
        this(database, tick, tick);
    }

    public EventPump(Database database, Duration tick, Duration idleTick) {
        this.database = database;
        this.tick = tick;
        this.idleTick = idleTick;
        this.access = new AccessChanges(database);
    }

    /** Starts reading after the newest event stored now. */
    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        lastSeen = database.execute().createGet("SELECT MAX(id) FROM conversation_events").execute()
                .flatMap(r -> Database.optionalLong(r.column(1))).orElse(0L);
        access.poll(); // notes where the audit log ends
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
        long lastAccess = System.nanoTime() - ACCESS_TICK.toNanos();
        long activeUntil = System.nanoTime() + ACTIVE_FOR.toNanos();
        while (running.get()) {
            try {
                if (pumpOnce() || gapSince != 0) {
                    activeUntil = System.nanoTime() + ACTIVE_FOR.toNanos();
                }
                if (System.nanoTime() - lastAccess >= ACCESS_TICK.toNanos()) {
                    lastAccess = System.nanoTime();
                    accessOnce();
                }
                if (failing) {
                    failing = false;
                    LOG.info("reading new conversation events works again");
                }
            } catch (RuntimeException e) {
                if (!failing) { // once per outage, not once per tick
                    failing = true;
                    LOG.log(Level.WARNING, "reading new conversation events failed; trying again every tick", e);
                }
            }
            try {
                // however often commits wake it, at most one read per MIN_SPACING
                Thread.sleep(MIN_SPACING);
                Duration wait = (System.nanoTime() - activeUntil < 0 ? tick : idleTick).minus(MIN_SPACING);
                if (nudge.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                    nudge.drainPermits();
                    activeUntil = System.nanoTime() + ACTIVE_FOR.toNanos();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads and hands out the new events; whether there were any. */
    private boolean pumpOnce() {
        boolean any = false;
        while (true) {
            queries.incrementAndGet();
            List<Stored> batch = database.execute().createQuery("SELECT id, tenant_id, conversation_id, type, data,"
                            + " created_at FROM conversation_events WHERE id > ? ORDER BY id LIMIT " + BATCH)
                    .params(lastSeen).execute().map(EventPump::stored).toList();
            for (Stored s : batch) {
                if (held(s.event.id())) {
                    return any;
                }
                deliver(byConversation.get(s.event.conversationId()), s);
                deliver(byTenant.get(s.tenantId), s);
                lastSeen = s.event.id();
                any = true;
            }
            if (batch.size() < BATCH) {
                return any;
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

    /** Tells every subscription watching an id a new access change names; a scan, since changes are rare. */
    private void accessOnce() {
        List<AccessChanges.Change> changes = access.poll();
        if (changes.isEmpty()) {
            return;
        }
        Set<String> named = new HashSet<>();
        changes.forEach(c -> named.add(c.targetId()));
        long now = System.nanoTime();
        synchronized (recent) {
            recent.addLast(new Recent(now, named));
            while (now - recent.peekFirst().readAt > RECENT.toNanos()) {
                recent.removeFirst();
            }
        }
        for (Map<String, Set<Subscription>> index : List.of(byConversation, byTenant)) {
            for (Set<Subscription> subs : index.values()) {
                for (Subscription sub : subs) {
                    for (String id : sub.watched) {
                        if (named.contains(id)) {
                            sub.accessChanged.set(true);
                            sub.signal();
                            break;
                        }
                    }
                }
            }
        }
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

    private record Recent(long readAt, Set<String> named) {
    }

    /** Whether a change of access read at or after {@code since} (System.nanoTime) named one of {@code ids}. */
    private boolean namedSince(Set<String> ids, long since) {
        synchronized (recent) {
            for (Recent r : recent) {
                if (r.readAt - since >= 0 && r.named.stream().anyMatch(ids::contains)) {
                    return true;
                }
            }
        }
        return false;
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
        private final AtomicBoolean accessChanged = new AtomicBoolean();
        private volatile Set<String> watched = Set.of();

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

        /**
         * Asks to be told when a change of access names one of {@code ids} (the caller's tenant, key or person,
         * session, connection): {@link #accessChanged()} then answers true once and the reader is woken.
         *
         * @param judgedAt when (System.nanoTime) the caller's access was last judged: a change the pump read since
         *                 then counts too, so one made while the stream was being set up is not missed
         */
        public void watchAccess(Set<String> ids, long judgedAt) {
            watched = Set.copyOf(ids);
            if (namedSince(watched, judgedAt)) {
                accessChanged.set(true);
                signal.release();
            }
        }

        /** Whether a change of access named a watched id since the last call (the flag is cleared). */
        public boolean accessChanged() {
            return accessChanged.get() && accessChanged.compareAndSet(true, false);
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
            if (queue.isEmpty()) {
                return List.of(); // a keep-alive's wake: no lock taken, nothing allocated
            }
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
