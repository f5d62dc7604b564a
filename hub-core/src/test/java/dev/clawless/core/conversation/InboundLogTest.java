package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbound log's group commit and its deriver, against a real database on each engine. */
class InboundLogTest {

    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> open = new ArrayList<>();
    private dev.clawless.core.store.DatabaseConfig config;
    private Database database;
    private String tenant;

    /** One node: its writer, its deriver, and the conversations they feed. */
    private record Node(InboundLog log, InboundDeriver deriver, ConversationManagement conversations) {
    }

    private Node node(Database db) {
        return node(db, AcksFirst.OFF);
    }

    private Node node(Database db, AcksFirst acksFirst) {
        ConversationManagement conversations = new ConversationManagement(db, new JobQueue(db, JobConfig.DEFAULT,
                clock), clock, new Ids(clock));
        InboundDeriver deriver = new InboundDeriver(db, conversations, clock, () -> { }, acksFirst);
        InboundLog log = new InboundLog(db, clock, deriver::wake, acksFirst);
        open.add(log);
        open.add(deriver);
        log.start();
        deriver.start();
        return new Node(log, deriver, conversations);
    }

    private void open(Engine engine) {
        config = TestDatabases.config(engine);
        database = Database.open(config);
        tenant = TestTenants.create(database, clock, "Acme", new Quotas(-1, -1, -1));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static InboundMessage msg(String externalId, String thread, String text) {
        return InboundMessage.text("telegram", "con_test", externalId, thread,
                new Participant("u-" + thread, Optional.of("Alice"), Optional.empty()), text, Instant.now());
    }

    private long count(String sql) {
        return database.execute().query(sql).map(r -> ((Number) r.column(1).get(Object.class)).longValue())
                .findFirst().orElseThrow();
    }

    private void awaitDerived() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count("SELECT COUNT(*) FROM inbound_log WHERE failed_at IS NULL") > 0) {
            assertTrue(System.nanoTime() < end, "the log was not derived in time");
            Thread.sleep(20);
        }
    }

    private List<String> texts(ConversationManagement conversations, String thread) {
        Conversation c = conversations.thread(tenant, "con_test", thread).orElseThrow();
        return conversations.messages(tenant, c.id(), PageRequest.first(100)).data().stream().map(Message::text)
                .toList();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void concurrentRequestsShareCommitsAndEveryMessageIsStoredOnceInOrder(Engine engine) throws Exception {
        open(engine);
        Node node = node(database);
        int clients = 16;
        int perClient = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                    // each client its own thread, sent in order; every fifth request is delivered twice
                    InboundMessage m = msg("c" + client + "-" + i, "chat-" + client, "message " + i);
                    node.log().append(tenant, List.of(m));
                    if (i % 5 == 0) {
                        node.log().append(tenant, List.of(m));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long requests = clients * (perClient + perClient / 5);
        assertTrue(node.log().batches() < requests, "requests shared commits: " + node.log().batches()
                + " batches for " + requests + " requests");
        awaitDerived();
        assertEquals(clients * perClient, count("SELECT COUNT(*) FROM messages"), "each message once");
        assertEquals(clients * perClient, count("SELECT COUNT(*) FROM jobs"), "one turn job each");
        assertEquals(clients, count("SELECT COUNT(*) FROM conversations"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < perClient; i++) {
            expected.add("message " + i);
        }
        for (int c = 0; c < clients; c++) {
            assertEquals(expected, texts(node.conversations(), "chat-" + c), "order of chat-" + c);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void whileAcknowledgingIsBusyTheDeriverWaitsAndThenDerivesEverything(Engine engine) throws Exception {
        open(engine);
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        AcksFirst acksFirst = new AcksFirst(java.time.Duration.ofSeconds(30), nanos::get);
        Node node = node(database, acksFirst);
        acksFirst.batchWritten(4); // requests waited on one another's commit: a burst is being acknowledged
        for (int i = 0; i < 20; i++) {
            node.log().append(tenant, List.of(msg("m" + i, "chat-1", "text " + i)));
        }
        Thread.sleep(500);
        assertEquals(20, count("SELECT COUNT(*) FROM inbound_log"), "acknowledged and durable, not derived yet");
        assertEquals(0, count("SELECT COUNT(*) FROM messages"));
        nanos.addAndGet(AcksFirst.QUIET.toNanos() + 1); // the burst is over
        awaitDerived();
        assertEquals(20, count("SELECT COUNT(*) FROM messages"));
        assertEquals(List.of("text 0", "text 1", "text 2"), texts(node.conversations(), "chat-1").subList(0, 3));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRedeliveryAfterDerivationIsStoredOnceAndAnEditIsItsOwnEvent(Engine engine) throws Exception {
        open(engine);
        Node node = node(database);
        InboundMessage m = new InboundMessage("telegram", "con_test", "m1", "chat-1",
                new Participant("u1", Optional.of("Alice"), Optional.of("alice")), "Hello",
                List.of(new Attachment(Attachment.Kind.IMAGE, Optional.of("https://t.example/p.jpg"),
                        Optional.of("image/jpeg"), Optional.empty(), java.util.OptionalLong.of(123),
                        Optional.of("file-1"))), Instant.now(), ChatType.DIRECT, Optional.empty(), false,
                Map.of("k", "v"));
        node.log().append(tenant, List.of(m));
        awaitDerived();
        node.log().append(tenant, List.of(m));
        awaitDerived();
        assertEquals(1, count("SELECT COUNT(*) FROM messages"));
        Message stored = node.conversations().messages(tenant, node.conversations().thread(tenant, "con_test",
                "chat-1").orElseThrow().id(), PageRequest.first(5)).data().get(0);
        assertEquals(m.attachments(), stored.attachments(), "the attachment survives the log");
        assertEquals("v", stored.metadata().get("k"));

        node.log().append(tenant, List.of(new InboundMessage("telegram", "con_test", "m1", "chat-1",
                m.sender(), "Hello, edited", List.of(), Instant.now(), ChatType.DIRECT, Optional.empty(), true,
                Map.of())));
        awaitDerived();
        assertEquals(List.of("Hello, edited"), texts(node.conversations(), "chat-1"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anUnfitRequestIsRefusedAloneAndAnUnreadableRowIsSetAsideWithoutBlockingTheRest(Engine engine)
            throws Exception {
        open(engine);
        // a row no hub could have written, ahead of everything else
        database.execute().createInsert("INSERT INTO inbound_log (tenant_id, connection_id, dedupe_key, event,"
                + " received_at) VALUES (?, 'con_test', ?, '{\"kind\":\"nonsense\"}', ?)").params(tenant,
                "0".repeat(64), Database.timestamp(Instant.now())).execute();
        Node node = node(database);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger refused = new AtomicInteger();
        Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            done.add(pool.submit(() -> {
                // request 17 names a tenant that does not exist: the database refuses its rows
                String who = n == 17 ? "ten_missing" : tenant;
                try {
                    node.log().append(who, List.of(msg("m" + n, "chat-" + (n % 4), "text " + n)));
                } catch (RuntimeException e) {
                    refused.incrementAndGet();
                    errors.put(n, e);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(1, refused.get(), errors.toString());
        assertTrue(errors.containsKey(17));
        awaitDerived();
        assertEquals(39, count("SELECT COUNT(*) FROM messages"));
        assertEquals(1, count("SELECT COUNT(*) FROM inbound_log WHERE failed_at IS NOT NULL"
                + " AND last_error LIKE '%unknown event kind%'"), "the unreadable row is set aside with its reason");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aDeliveryStatusTravelsThroughTheLog(Engine engine) throws Exception {
        open(engine);
        Node node = node(database);
        node.log().append(tenant, List.of(msg("m1", "chat-1", "Hello")));
        awaitDerived();
        Conversation c = node.conversations().thread(tenant, "con_test", "chat-1").orElseThrow();
        Message reply = node.conversations().operatorReply(tenant, c.id(), "Hi!");
        node.conversations().deliveries().markSent(reply, "out-1");
        node.log().append(tenant, List.of(new DeliveryUpdate("con_test", "out-1", DeliveryStatus.READ, Instant.now(),
                Optional.empty())));
        awaitDerived();
        assertEquals(MessageStatus.READ, node.conversations().message(tenant, reply.id()).status());
    }

    @org.junit.jupiter.api.Test
    void twoNodesDeriveOneLogOnceAndInOrder() throws Exception {
        open(Engine.POSTGRESQL);
        Database other = Database.open(config);
        open.add(other);
        Node a = node(database);
        Node b = node(other);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int client = c;
            Node via = c % 2 == 0 ? a : b;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 30; i++) {
                    via.log().append(tenant, List.of(msg("c" + client + "-" + i, "chat-" + client, "message " + i)));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        awaitDerived();
        assertEquals(240, count("SELECT COUNT(*) FROM messages"));
        assertEquals(240, a.deriver().derived() + b.deriver().derived(), "each row derived by exactly one node");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            expected.add("message " + i);
        }
        for (int c = 0; c < 8; c++) {
            assertEquals(expected, texts(a.conversations(), "chat-" + c));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStoppedWriterRefusesRatherThanAcknowledging(Engine engine) {
        open(engine);
        Node node = node(database);
        node.log().close();
        assertThrows(dev.clawless.core.common.ClawlessException.Unavailable.class,
                () -> node.log().append(tenant, List.<InboundEvent>of(msg("m1", "chat-1", "Hello"))));
    }
}
