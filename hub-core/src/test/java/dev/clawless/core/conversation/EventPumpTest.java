package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.Ids;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event pump against a real database, on each engine: delivery by conversation and tenant, and overflow. */
class EventPumpTest {

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private EventPump pump;

    @AfterEach
    void close() {
        if (pump != null) {
            pump.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void eventsReachTheirConversationsAndTenantsSubscribersAndAFullQueueFallsBackToTheDatabase(Engine engine)
            throws Exception {
        database = Database.open(TestDatabases.config(engine));
        ConversationManagement conversations = new ConversationManagement(database, new JobQueue(database,
                JobConfig.DEFAULT, clock), clock, new Ids(clock));
        String tenant = TestTenants.create(database, clock, "Pumped", new Quotas(-1, -1, -1));
        String other = TestTenants.create(database, clock, "Elsewhere", new Quotas(-1, -1, -1));
        String a = conversations.ingest(tenant, InboundMessage.text("telegram", "con_test", "m1", "chat-a",
                new Participant("u1", Optional.of("Ann"), Optional.empty()), "Hi", Instant.now()))
                .conversation().id();
        String b = conversations.ingest(tenant, InboundMessage.text("telegram", "con_test", "m2", "chat-b",
                new Participant("u2", Optional.of("Bo"), Optional.empty()), "Hi", Instant.now()))
                .conversation().id();
        pump = new EventPump(database, Duration.ofMillis(20));
        pump.start();
        EventPump.Subscription ofA = pump.subscribe(tenant, a);
        EventPump.Subscription ofTenant = pump.subscribe(tenant, null);
        EventPump.Subscription ofOther = pump.subscribe(other, null);

        conversations.publish(tenant, b, "test.b", "{\"n\":1}");
        conversations.publish(tenant, a, "test.a", "{\"n\":2}");
        List<ConversationEvent> seenByA = receive(ofA, 1);
        assertEquals(List.of("test.a"), seenByA.stream().map(ConversationEvent::type).toList(), "only its own");
        assertEquals(List.of("test.b", "test.a"), receive(ofTenant, 2).stream().map(ConversationEvent::type)
                .toList(), "the tenant's, in id order");
        assertTrue(ofOther.drain().isEmpty(), "nothing of another tenant");

        // a reader that does not read: the pump drops, marks the subscription, and the database still has them all
        long last = seenByA.get(0).id();
        int many = EventPump.CAPACITY + 10;
        for (int i = 0; i < many; i++) {
            conversations.publish(tenant, a, "test.flood", "{\"n\":" + i + "}");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean overflowed = false;
        while (!overflowed && System.nanoTime() < deadline) {
            ofA.await(Duration.ofMillis(100));
            overflowed = ofA.overflowed();
        }
        assertTrue(overflowed, "a full queue is reported");
        assertEquals(many, conversations.events(tenant, a, last, 1000).size(), "the replay has every event");
        ofA.close();
        ofTenant.close();
        ofOther.close();
        assertEquals(0, pump.subscribers());
    }

    @org.junit.jupiter.api.Test
    void aCommitWakesThePumpBeforeItsTick() throws Exception {
        database = Database.open(TestDatabases.h2());
        ConversationManagement conversations = new ConversationManagement(database, new JobQueue(database,
                JobConfig.DEFAULT, clock), clock, new Ids(clock));
        String tenant = TestTenants.create(database, clock, "Woken", new Quotas(-1, -1, -1));
        String a = conversations.ingest(tenant, InboundMessage.text("telegram", "con_test", "m1", "chat-a",
                new Participant("u1", Optional.of("Ann"), Optional.empty()), "Hi", Instant.now()))
                .conversation().id();
        // a tick no test waits for: only the wake-up (what a message from another node does) brings the events
        pump = new EventPump(database, Duration.ofHours(1));
        pump.start();
        EventPump.Subscription ofA = pump.subscribe(tenant, a);
        conversations.onEventsCommitted(pump::wake);
        conversations.publish(tenant, a, "test.woken", "{}");
        assertEquals(List.of("test.woken"), receive(ofA, 1).stream().map(ConversationEvent::type).toList());
        ofA.close();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aChangeOfAccessWakesOnlyTheSubscriptionsWatchingAnIdItNames(Engine engine) throws Exception {
        database = Database.open(TestDatabases.config(engine));
        String tenant = TestTenants.create(database, clock, "Watched", new Quotas(-1, -1, -1));
        pump = new EventPump(database, Duration.ofMillis(20));
        pump.start();
        EventPump.Subscription byKey = pump.subscribe(tenant, null);
        byKey.watchAccess(Set.of(tenant, "key_revoked"), System.nanoTime());
        EventPump.Subscription byOtherKey = pump.subscribe(tenant, null);
        byOtherKey.watchAccess(Set.of(tenant, "key_kept"), System.nanoTime());

        AuditLog audit = new AuditLog(database, clock);
        database.inTransaction(tx -> {
            audit.record(tx, Actor.admin("req_test"), Optional.of(tenant), "api_key.revoked",
                    Optional.of("key_revoked"), Map.of());
            return null;
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean changed = false;
        while (!changed && System.nanoTime() < deadline) {
            byKey.await(Duration.ofMillis(200));
            changed = byKey.accessChanged();
        }
        assertTrue(changed, "the revoked key's subscription is told");
        assertFalse(byKey.accessChanged(), "once");
        assertFalse(byOtherKey.accessChanged(), "another key's is not");

        // a subscription that starts watching after the pump read the change, for a caller judged before it
        EventPump.Subscription late = pump.subscribe(tenant, null);
        late.watchAccess(Set.of("key_revoked"), System.nanoTime() - Duration.ofSeconds(5).toNanos());
        assertTrue(late.accessChanged(), "a change read since its caller was judged counts");
        EventPump.Subscription judgedAfter = pump.subscribe(tenant, null);
        judgedAfter.watchAccess(Set.of("key_revoked"), System.nanoTime());
        assertFalse(judgedAfter.accessChanged(), "one read before its caller was judged does not");
        for (EventPump.Subscription s : List.of(byKey, byOtherKey, late, judgedAfter)) {
            s.close();
        }
    }

    /** Waits (parked on the subscription, with a deadline) until {@code count} events arrived. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void anEventWhoseTransactionCommitsAfterALaterOnesIsNotSkipped(Engine engine) throws Exception {
        database = Database.open(TestDatabases.config(engine));
        ConversationManagement conversations = new ConversationManagement(database, new JobQueue(database,
                JobConfig.DEFAULT, clock), clock, new Ids(clock));
        String tenant = TestTenants.create(database, clock, "Gaps", new Quotas(-1, -1, -1));
        String a = conversations.ingest(tenant, InboundMessage.text("telegram", "con_test", "m1", "chat-a",
                new Participant("u1", Optional.of("Ann"), Optional.empty()), "Hi", Instant.now()))
                .conversation().id();
        pump = new EventPump(database, Duration.ofMillis(20));
        pump.start();
        EventPump.Subscription ofA = pump.subscribe(tenant, a);
        conversations.publish(tenant, a, "test.first", "{}");
        assertEquals(List.of("test.first"), receive(ofA, 1).stream().map(ConversationEvent::type).toList());

        // a long transaction takes the next id, a short one the one after and commits first
        java.util.concurrent.CountDownLatch inserted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread slow = Thread.ofVirtual().start(() -> database.inTransaction(tx -> {
            conversations.publish(tx, tenant, a, "test.slow", "{}");
            inserted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertTrue(inserted.await(10, java.util.concurrent.TimeUnit.SECONDS));
        conversations.publish(tenant, a, "test.fast", "{}");
        ofA.await(Duration.ofMillis(400));
        assertTrue(ofA.drain().isEmpty(), "nothing passes the gap while its transaction is open");
        release.countDown();
        slow.join();
        assertEquals(List.of("test.slow", "test.fast"), receive(ofA, 2).stream().map(ConversationEvent::type)
                .toList(), "both, in id order");
    }

    private static List<ConversationEvent> receive(EventPump.Subscription s, int count) throws InterruptedException {
        List<ConversationEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            s.await(Duration.ofMillis(200));
            out.addAll(s.drain());
        }
        assertEquals(count, out.size(), "events received: " + out);
        return out;
    }
}
