package dev.clawless.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestRedis;

import static dev.clawless.server.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes' buses on a real Redis: what one sends the other receives, in order; a node ignores its own. */
class NodeBusTest {

    private static TestRedis server;
    private static Redis redisA;
    private static Redis redisB;
    private static final Heard HEARD_A = new Heard();
    private static final Heard HEARD_B = new Heard();
    private static NodeBus a;
    private static NodeBus b;

    /** What a node's receiver was told. */
    private static final class Heard implements NodeBus.Receiver {
        final List<String> deltas = new CopyOnWriteArrayList<>();
        final AtomicInteger nudges = new AtomicInteger();
        final List<String> connections = new CopyOnWriteArrayList<>();
        final List<String> installations = new CopyOnWriteArrayList<>();

        @Override
        public void delta(String conversationId, String messageId, String text) {
            deltas.add(conversationId + "/" + messageId + ":" + text);
        }

        @Override
        public void eventsWritten() {
            nudges.incrementAndGet();
        }

        @Override
        public void connectionChanged(String connectionId) {
            connections.add(connectionId);
        }

        @Override
        public void installationChanged(String installationId) {
            installations.add(installationId);
        }
    }

    @BeforeAll
    static void start() {
        server = TestRedis.start();
        RedisSettings settings = new RedisSettings(URI.create(server.url()), 4, Duration.ofSeconds(2));
        redisA = new Redis(settings);
        redisB = new Redis(settings);
        a = new NodeBus(redisA, HEARD_A);
        b = new NodeBus(redisB, HEARD_B);
        await("both subscribed", () -> a.listening() && b.listening());
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        redisA.close();
        redisB.close();
        server.close();
    }

    @Test
    void theOtherNodeHearsEveryKindInOrderAndTheSenderNothing() {
        for (int i = 0; i < 100; i++) {
            a.delta("conv_1", "msg_1", "t" + i + " ünïcode\n\"quoted\"");
        }
        a.connectionChanged("con_1");
        a.installationChanged("ins_1");
        await("the deltas on B", () -> HEARD_B.deltas.size() == 100);
        for (int i = 0; i < 100; i++) {
            assertEquals("conv_1/msg_1:t" + i + " ünïcode\n\"quoted\"", HEARD_B.deltas.get(i));
        }
        await("the invalidations on B", () -> HEARD_B.connections.equals(List.of("con_1"))
                && HEARD_B.installations.equals(List.of("ins_1")));
        assertTrue(HEARD_A.deltas.isEmpty() && HEARD_A.connections.isEmpty(), "a node ignores its own messages");
    }

    @Test
    void manyCommitsMakeFewNudges() {
        int before = HEARD_B.nudges.get();
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            b.eventsWritten(); // B's own: A hears them
            a.eventsWritten();
        }
        long elapsed = System.nanoTime() - start;
        await("a nudge after the last commit", () -> HEARD_B.nudges.get() > before);
        int nudges = HEARD_B.nudges.get() - before;
        long most = elapsed / NodeBus.EVENTS_GAP.toNanos() + 2;
        System.out.println(nudges + " nudges for 10,000 commits in " + elapsed / 1_000_000 + " ms");
        assertTrue(nudges <= most, nudges + " nudges for 10,000 commits in " + elapsed / 1_000_000 + " ms");
    }
}
